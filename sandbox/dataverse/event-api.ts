// The real-time journeys Event API, as far as the kit needs it: `POST /EvtMgmt/api/v2.0/events/
// <readable id>/registrations?emApplicationtoken=<token>` with `{"attendees":[…]}`. Event management
// reserves the passes and answers `{"redirectUrl": "<Payment page URL>purchaseId=<guid>&returnUrl=<…>"}`
// built from the event's payment provider record. The web application's token and allowed origins
// are knobs; Microsoft's published sample spells the answer's key "redirectUrl " (with a trailing
// space), so `eventApiRedirectKey` can make the stand-in answer that way too.
import type { StandInContext } from "./context";
import { DataverseFault } from "./errors";
import { registerPurchase, type RegistrationRequest } from "./register-purchase";

export const eventApiPattern = /^\/EvtMgmt\/api\/v2\.0\/events\/([^/]+)\/registrations\/?$/;

export interface EventApiAnswer {
  status: number;
  json: unknown;
  headers: Record<string, string>;
}

function corsFor(ctx: StandInContext, origin: string | undefined): Record<string, string> {
  const allowed = ctx.knobs.eventApiOrigins;
  if (!origin || (allowed.length > 0 && !allowed.includes(origin))) return {};
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    Vary: "Origin",
  };
}

function refuse(status: number, message: string, headers: Record<string, string>): EventApiAnswer {
  return { status, json: { error: { message } }, headers };
}

export function handleEventApi(
  ctx: StandInContext,
  request: {
    method: string;
    readableEventId: string;
    params: URLSearchParams;
    headers: Record<string, string | undefined>;
    body: unknown;
  },
): EventApiAnswer {
  const origin = typeof request.headers.origin === "string" ? request.headers.origin : undefined;
  const cors = corsFor(ctx, origin);
  if (origin && ctx.knobs.eventApiOrigins.length > 0 && !ctx.knobs.eventApiOrigins.includes(origin)) {
    return refuse(
      403,
      `Origin ${origin} is not allowed for this web application; add it to the web application's origins.`,
      {},
    );
  }
  if (request.method === "OPTIONS") return { status: 204, json: undefined, headers: cors };
  if (request.method !== "POST")
    return refuse(405, "Use POST to register.", { ...cors, Allow: "POST, OPTIONS" });
  if (request.params.get("emApplicationtoken") !== ctx.knobs.eventApiToken) {
    return refuse(
      401,
      "emApplicationtoken is missing or does not belong to a web application of this organisation.",
      cors,
    );
  }
  const body = (request.body ?? {}) as { attendees?: RegistrationRequest["attendees"] };
  const referer = typeof request.headers.referer === "string" ? request.headers.referer : undefined;
  try {
    const result = registerPurchase(ctx, {
      readableEventId: request.readableEventId,
      attendees: Array.isArray(body.attendees) ? body.attendees : [],
      mode: "rtm",
      // INFERRED: where Dynamics takes returnUrl from is unpublished; the registering page is the likely source.
      ...(referer ? { returnUrl: referer } : {}),
    });
    if (result.status === "Success") return { status: 200, json: {}, headers: cors };
    return { status: 200, json: { [ctx.knobs.eventApiRedirectKey]: result.redirectUrl }, headers: cors };
  } catch (error) {
    if (error instanceof DataverseFault) return refuse(error.status, error.message, cors);
    throw error;
  }
}
