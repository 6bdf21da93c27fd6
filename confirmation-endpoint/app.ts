// The confirmation endpoint as a function from a Web Request to a Response. Only main.ts opens a
// port; tests and the sandbox call this handler in-process. Errors are mapped to status codes here
// and nowhere else (http/error-status.ts): the kit's domain errors by their code, a store failure
// 503, anything else a generic 500 with details in the log.

import type { DeadlinePolicy, EventMode } from "./config";
import type { EndpointDeps } from "./deps";
import { HttpError } from "./errors";
import { corsHeaders, isOriginAllowed, preflightResponse } from "./http/cors";
import { createReadGuard } from "./checkout/read-guard";
import { clientKey } from "./http/client-key";
import { toHttpError } from "./http/error-status";
import { errorAnswer, errorResponse, toResponse } from "./http/responses";
import type { PlainAnswer } from "./http/responses";
import { handleRtmCancel, handleRtmPay } from "./rtm/handle-rtm-pay";
import type { RtmRouteOptions } from "./rtm/handle-rtm-pay";
import { handleCheckout } from "./routes/checkout";
import { handleHealth, handleMetrics, handleReady } from "./routes/health";
import { RETURNED_QUERY } from "./contract/v1";
import { handlePurchaseStatus, readWaitQuery } from "./routes/purchase-status";
import { createStatusWaiter } from "./routes/status-wait";
import type { PurchaseSignal } from "./routes/status-wait";
import { handleWebhook, receiveWebhook } from "./routes/webhook";
import type { WebhookDelivery } from "./routes/webhook";

export interface AppDeps extends EndpointDeps {
  portalOrigins: readonly string[];
  eventMode: EventMode;
  deadlinePolicy: DeadlinePolicy;
  /** Readiness probe for Dataverse (e.g. obtain a token); omitted → not checked. */
  checkDataverse?: () => Promise<void>;
  /** Real-time journeys payment route (GET /v1/rtm/pay); omitted → that route answers 404. */
  rtm?: RtmRouteOptions;
  /** Called after work was stored for the worker (e.g. `worker.wake`), so it need not wait for its poll. */
  onWorkStored?: () => void;
  /**
   * Checkouts per minute for purchases this endpoint has not seen yet (default 300). Each costs
   * Dataverse reads on the application user's budget, which finalize needs too; past the limit the
   * route answers 429 with Retry-After rather than let a flood of made-up ids starve finalizing.
   */
  newPurchaseCheckoutsPerMinute?: number;
  /** New purchases a minute one client may start per route (default 30). */
  newPurchasesPerClientPerMinute?: number;
  /**
   * Dataverse reads new purchases may cost per 5 minutes (default 1,200: a fifth of one application
   * user's 6,000-request window), so finalizing always keeps the rest of the budget.
   */
  newPurchaseReadsPer5Minutes?: number;
  /** The header a trusted proxy puts the client's address in (e.g. x-forwarded-for); null: the TCP peer. */
  clientIpHeader?: string | null;
  /**
   * Raised when this process changes a purchase (signalPurchaseChanges around the store), so a held
   * status request answers at once; without it held requests see changes at their next re-read.
   */
  purchaseSignal?: PurchaseSignal;
  /** Long-poll limits: held status requests at most (default 1,000) and the re-read period (default 1 s). */
  statusWait?: { maxHeld?: number; recheckMs?: number };
  /** Hand the buyer's e-mail to the provider so it sends its receipt (SEND_PROVIDER_RECEIPTS); absent: off. */
  sendProviderReceipts?: boolean;
}

export type FetchHandler = (request: Request) => Promise<Response>;

/** A route served without a Web Request or Response: the host hands over the headers and body. */
export type DirectRoute = (delivery: WebhookDelivery) => Promise<PlainAnswer>;

/** The endpoint's handler, with the routes a Node host may serve directly. */
export interface KitHandler extends FetchHandler {
  /**
   * The direct route for `method` and the raw request target, or null (use the handler). Today
   * only webhook deliveries: hundreds a second in a burst, and a Web Request costs about as much
   * as storing the event. Same checks, same answers as through the handler (one edge aside: of a
   * header sent twice, Node keeps the first for some names, such as Authorization, where a Web
   * Request joins both).
   */
  direct(method: string, target: string): DirectRoute | null;
}

const STATUS_PATH = /^\/v1\/purchases\/([^/]{1,200})\/status$/;
const WEBHOOK_PATH = /^\/v1\/webhooks\/([^/]{1,64})$/;
// Targets the direct route takes: nothing to normalise (no dot segment, no escape), any query ignored.
const DIRECT_WEBHOOK_TARGET = /^\/v1\/webhooks\/([A-Za-z0-9_-]{1,64})(?:\?.*)?$/;

function methodNotAllowed(allowed: string): Response {
  return errorResponse(405, "METHOD_NOT_ALLOWED", `Use ${allowed} on this route.`, { allow: allowed });
}

export function createApp(deps: AppDeps): KitHandler {
  const origins = deps.portalOrigins;
  const readGuard = createReadGuard({
    now: () => deps.clock.now(),
    newPurchasesPerMinute: deps.newPurchaseCheckoutsPerMinute ?? 300,
    perClientPerMinute: deps.newPurchasesPerClientPerMinute ?? 30,
    readBudgetPer5Minutes: deps.newPurchaseReadsPer5Minutes ?? 1200,
  });
  const client = (request: Request) => clientKey(request, deps.clientIpHeader ?? null);
  const statusWaiter = createStatusWaiter({
    ...deps.statusWait,
    ...(deps.purchaseSignal ? { signal: deps.purchaseSignal } : {}),
  });

  async function route(request: Request, path: string): Promise<Response> {
    const method = request.method.toUpperCase();
    if (path === "/v1/checkout") {
      if (method === "OPTIONS") return preflightResponse(request, origins, "POST");
      if (method !== "POST") return methodNotAllowed("POST, OPTIONS");
      if (!isOriginAllowed(request, origins)) {
        throw new HttpError(
          403,
          "ORIGIN_NOT_ALLOWED",
          "This origin may not start a checkout; add it to PORTAL_ORIGINS if it is a portal of yours.",
        );
      }
      return handleCheckout(request, { ...deps, readGuard, client: client(request) });
    }
    const status = STATUS_PATH.exec(path);
    if (status) {
      if (method === "OPTIONS") return preflightResponse(request, origins, "GET");
      if (method !== "GET" && method !== "HEAD") return methodNotAllowed("GET, OPTIONS");
      const query = new URL(request.url).searchParams;
      return handlePurchaseStatus(
        status[1]!,
        { ...deps, statusWaiter },
        {
          returned: query.get(RETURNED_QUERY) === "1",
          wait: method === "GET" ? readWaitQuery(query) : null,
          signal: request.signal,
        },
      );
    }
    const webhook = WEBHOOK_PATH.exec(path);
    if (webhook) {
      if (method !== "POST") return methodNotAllowed("POST");
      return handleWebhook(request, webhook[1]!, deps);
    }
    if (path === "/v1/rtm/pay")
      return method === "GET"
        ? handleRtmPay(request, { ...deps, readGuard, client: client(request) })
        : methodNotAllowed("GET");
    if (path === "/v1/rtm/cancel")
      return method === "GET" ? handleRtmCancel(request, deps) : methodNotAllowed("GET");
    if (path === "/healthz")
      return method === "GET" || method === "HEAD" ? handleHealth() : methodNotAllowed("GET");
    if (path === "/readyz")
      return method === "GET" || method === "HEAD" ? handleReady(deps) : methodNotAllowed("GET");
    if (path === "/metrics")
      return method === "GET" || method === "HEAD" ? handleMetrics(deps.metrics) : methodNotAllowed("GET");
    throw new HttpError(404, "NOT_FOUND", "No such route; see the endpoint's routes in the README.");
  }

  /** The answer for an error a route threw: its status and code, details of a 5xx only in the log. */
  function failure(caught: unknown, path: string): PlainAnswer {
    const error = toHttpError(caught);
    if (error.status >= 500) {
      deps.logger.log("error", "request failed", {
        path,
        status: error.status,
        code: error.code,
        error: caught,
      });
    }
    const generic = error.status >= 500 && error.status !== 503 && error.status !== 502;
    return errorAnswer(
      error.status,
      error.code,
      generic ? "The endpoint failed to handle the request; try again later." : error.message,
      error.headers,
    );
  }

  async function handle(request: Request): Promise<Response> {
    let path = "/";
    try {
      path = new URL(request.url).pathname;
    } catch {
      // A request URL the host could not build: answered as unknown route.
    }
    const browserFacing = path === "/v1/checkout" || STATUS_PATH.test(path);
    const cors = browserFacing ? corsHeaders(request.headers.get("origin"), origins) : {};
    let response: Response;
    try {
      response = await route(request, path);
    } catch (caught) {
      response = toResponse(failure(caught, path));
    }
    for (const [k, v] of Object.entries(cors)) if (!response.headers.has(k)) response.headers.set(k, v);
    return response;
  }

  function direct(method: string, target: string): DirectRoute | null {
    const webhook = method === "POST" ? DIRECT_WEBHOOK_TARGET.exec(target) : null;
    if (!webhook) return null;
    const providerName = webhook[1]!;
    return (delivery) =>
      receiveWebhook(delivery, providerName, deps).catch((caught: unknown) =>
        failure(caught, `/v1/webhooks/${providerName}`),
      );
  }

  return Object.assign(handle, { direct });
}
