// The provider stand-in's one fetch-style handler: the Stripe-shaped API under /v1/, the hosted
// checkout page, the dashboard and /healthz. The pages and the API answer plain replies
// (status, headers, body text); this file turns them into Responses and logs one line per request.
import type { FetchHandler } from "../../confirmation-endpoint/app";
import { readTextBody } from "../read-text-body";
import { ApiError, type ApiErrorType } from "./api-error";
import type { ApiRequest, HttpReply } from "./api-routes";
import {
  DASHBOARD_PATH,
  handleDashboard,
  type DashboardActions,
  type DashboardSource,
} from "./dashboard-page";
import { handleHostedPage, HOSTED_PAGE_PREFIX } from "./hosted-checkout-page";
import type { ProviderContext } from "./provider-context";
import type { ProviderLog } from "./provider-log";

const MAX_BODY_BYTES = 1024 * 1024;

export interface ProviderHandlerDeps {
  context: ProviderContext;
  handleApi: (request: ApiRequest) => HttpReply;
  dashboardSource: DashboardSource;
  dashboardActions: DashboardActions;
  /** The stand-in's own origin: forms posted from anywhere else are refused. */
  baseUrl: () => string;
  apiLatencyMs: () => number;
  log: ProviderLog;
}

const text = (status: number, body: string, headers: Record<string, string> = {}): HttpReply => ({
  status,
  headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  body,
});

function apiErrorReply(status: number, type: ApiErrorType, message: string): HttpReply {
  const body = new ApiError({ status, type, message }).toBody();
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** The length is sent for HEAD too: it is the length a GET would get. */
function toResponse(reply: HttpReply, method: string): Response {
  const headers = { ...reply.headers, "content-length": String(Buffer.byteLength(reply.body)) };
  const empty = method === "HEAD" || reply.status === 204 || reply.status === 304;
  return new Response(empty ? null : reply.body, { status: reply.status, headers });
}

/**
 * The hosted page and the dashboard post forms to themselves: a form from another site is refused.
 * Browsers say where a form came from in Sec-Fetch-Site; older ones only in Origin, which the
 * pages' no-referrer policy turns into "null" even for their own forms.
 */
function isForeignForm(request: Request, baseUrl: string): boolean {
  const site = request.headers.get("sec-fetch-site");
  const from = request.headers.get("origin");
  if (site !== null) return site !== "same-origin" && site !== "none";
  return from !== null && from !== "null" && from !== baseUrl;
}

async function route(deps: ProviderHandlerDeps, request: Request): Promise<HttpReply> {
  const method = request.method;
  const target = new URL(request.url);
  const path = target.pathname;
  const query = target.search.slice(1);
  const body = await readTextBody(request, MAX_BODY_BYTES);
  if (body === null) return apiErrorReply(413, "invalid_request_error", "Request body is larger than 1 MiB.");
  if (path.startsWith("/v1/")) {
    const latency = deps.apiLatencyMs();
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const headers = Object.fromEntries(request.headers);
    return deps.handleApi({ method, path, query, headers, body });
  }
  if (method === "POST" && isForeignForm(request, deps.baseUrl())) {
    return text(
      403,
      "Refused: the stand-in's pages post only from its own origin. Use the page's buttons.\n",
      {
        "x-content-type-options": "nosniff",
      },
    );
  }
  if (path.startsWith(HOSTED_PAGE_PREFIX))
    return handleHostedPage(deps.context, { method, path, query, body });
  if (path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`))
    return handleDashboard(deps.dashboardSource, deps.dashboardActions, { method, path, query, body });
  if (path === "/healthz") return { status: 200, headers: { "content-type": "text/plain" }, body: "ok\n" };
  if (path === "/") return { status: 303, headers: { location: DASHBOARD_PATH }, body: "" };
  return text(404, "Not found. The dashboard is at /dashboard.\n");
}

export function createProviderHandler(deps: ProviderHandlerDeps): FetchHandler {
  return async (request) => {
    const began = performance.now();
    const path = new URL(request.url).pathname;
    try {
      const reply = await route(deps, request);
      deps.log.log("debug", "provider stand-in request", {
        method: request.method,
        path,
        status: reply.status,
        requestId: reply.headers["request-id"],
        durationMs: Math.round(performance.now() - began),
      });
      return toResponse(reply, request.method);
    } catch (error) {
      deps.log.log("error", "provider stand-in request failed", { method: request.method, path, error });
      return toResponse(
        apiErrorReply(500, "api_error", "The stand-in hit an internal error; see its log."),
        "GET",
      );
    }
  };
}
