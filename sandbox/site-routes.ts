// Pages the sandbox adds to the portal preview (event site, RTM registration page, status page,
// clock) are fetch-style: they say which URLs they claim, then turn a Request into a Response. The
// preview server still hands over Node's request and response, so `toRouteHook` bridges them
// through the endpoint's one adapter. Claiming first matters: once a request body is turned into a
// Web stream it is consumed, and a request the sandbox does not take must reach the preview intact.
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendWebResponse, toWebRequest } from "../confirmation-endpoint/http/node-adapter";

export interface SiteRoutes {
  claims(url: URL): boolean;
  handle(request: Request): Promise<Response>;
}

/** The first of `routes` that claims the URL answers; false when none does. */
export function toRouteHook(routes: SiteRoutes[]) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const route = routes.find((r) => r.claims(url));
    if (!route) return false;
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    const response = await route.handle(toWebRequest(req, controller.signal));
    await sendWebResponse(res, response, (req.method ?? "GET").toUpperCase());
    return true;
  };
}

/** A response with headers and no caching unless the headers say otherwise; HEAD gets no body. */
export function answer(
  request: Request,
  status: number,
  body: string,
  headers: Record<string, string>,
): Response {
  return new Response(request.method === "HEAD" ? null : body, { status, headers });
}
