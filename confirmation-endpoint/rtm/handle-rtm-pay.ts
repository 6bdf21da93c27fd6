// GET /v1/rtm/pay?purchaseId=<guid>&returnUrl=<url> and GET /v1/rtm/cancel: the real-time
// journeys payment provider's "Payment page URL". Dynamics sends the browser here right after the
// Event API registered the attendees; the route reads the purchase's price from Dataverse (waiting
// briefly while the asynchronous pipeline writes it), opens the hosted checkout through the same
// startCheckout as the portal flow, and answers 302 to it. The provider's cancel button comes back
// to /v1/rtm/cancel, which closes the purchase so its seats are released at once.

import { startCheckout } from "../checkout/start-checkout";
import type { StartCheckoutDeps } from "../checkout/start-checkout";
import { withReturnMarker } from "../checkout/return-url";
import type { EventManagementApi, PurchaseRow } from "../dataverse/types";
import { CheckoutError, refusalFromDataverse } from "../checkout/errors";
import { HttpError } from "../errors";
import { NO_TRACING } from "../observability/tracing";
import { normalizeGuid } from "../guid";
import type { PaymentStore } from "../store/types";
import { guardJob } from "../lifecycle/jobs";
import { signCancelLink, verifyCancelLink } from "./cancel-link";
import { describeShortTimeout, shortestTimeoutMinutes } from "./check-payment-timeout";
import { pickReturnUrl } from "./pick-return-url";
import type { RtmEventInfo } from "./read-rtm-event";
import { chooseTimeoutMinutes } from "./read-rtm-event";
import { waitForRtmPurchase } from "./wait-for-purchase";
import type { ReadGuard } from "../checkout/read-guard";

export interface RtmRouteOptions {
  /** Where the shopper goes when the returnUrl is missing or not on PORTAL_ORIGINS. */
  defaultReturnUrl: string;
  /** The purchase's event and its payment provider's timeout (read-rtm-event.ts). */
  readEvent(purchaseId: string, options?: { deadline?: number }): Promise<RtmEventInfo>;
  /** RTM_PAYMENT_TIMEOUT_MINUTES, used when the provider record cannot be read (and as a cap). */
  configuredTimeoutMinutes: number | null;
  /**
   * The endpoint's public origin (ENDPOINT_PUBLIC_URL), for the provider's cancel button to come back
   * to /v1/rtm/cancel. Without it the cancel button leads straight to the return URL and the seats
   * are released when the page closes instead (the request's own Host is not trusted for links).
   */
  publicUrl?: () => string | null;
  /** The secret that signs cancel links (RTM_LINK_SECRET); unset → one of this process. */
  linkSecret?: string;
  /** How long to wait for the purchase row to appear (default 8 s). */
  purchaseWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RtmRouteDeps extends StartCheckoutDeps {
  portalOrigins: readonly string[];
  rtm?: RtmRouteOptions;
  onWorkStored?: () => void;
  /** Limits the Dataverse reads a purchase id nobody stored can cause (checkout/read-guard.ts). */
  readGuard?: ReadGuard;
  client?: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Written into the provider's metadata when the event's readable id cannot be read. */
const UNKNOWN_EVENT = "rtm";

function parsePurchaseId(raw: string | null): string {
  const id = normalizeGuid(raw ?? "");
  if (id === null) {
    throw new CheckoutError(
      "INVALID_REQUEST",
      "purchaseId must be the purchase's GUID, as Dynamics puts it on the payment page URL.",
    );
  }
  return id;
}

function requireRtm(deps: RtmRouteDeps): RtmRouteOptions {
  if (!deps.rtm) {
    throw new CheckoutError(
      "RTM_NOT_ENABLED",
      'Real-time journeys payments are not set up on this endpoint; see the README section "Real-time journeys mode".',
    );
  }
  return deps.rtm;
}

function redirect(location: string): Response {
  return new Response(null, {
    status: 302,
    headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" },
  });
}

/** A Dataverse view that answers the purchase read already made, so startCheckout does not ask again. */
function withKnownRow(dataverse: EventManagementApi, row: PurchaseRow): EventManagementApi {
  return {
    getPurchaseDetails: (id, o) => dataverse.getPurchaseDetails(id, o),
    finalizeRegistration: (input, o) => dataverse.finalizeRegistration(input, o),
    finalizeRtmPayment: (id, status, o) => dataverse.finalizeRtmPayment(id, status, o),
    readPurchase: async (id, o) => (id === row.purchaseId ? row : dataverse.readPurchase(id, o)),
  };
}

/** How long a cancel link stays good: the longest payment window a provider record may set, and a margin. */
const CANCEL_LINK_LIFETIME_MS = 25 * 60 * 60_000;

function cancelLink(rtm: RtmRouteOptions, purchaseId: string, returnUrl: string, now: number): string | null {
  const base = rtm.publicUrl?.() ?? null;
  if (base === null) return null;
  return signCancelLink(base, purchaseId, returnUrl, now + CANCEL_LINK_LIFETIME_MS, rtm.linkSecret);
}

/** Purchases whose too-short timeout was logged, per route: one line each, however often retried. */
const reportedShortTimeouts = new WeakMap<RtmRouteOptions, Set<string>>();
const MAX_REPORTED = 1000;

/**
 * A timeout that cannot leave the shopper the minimum time to pay would only ever answer 410: it
 * is refused with the number to change instead (the configured one was checked at start, so the
 * short one is the payment provider record's).
 */
function refuseShortTimeout(
  rtm: RtmRouteOptions,
  deps: RtmRouteDeps,
  purchaseId: string,
  minutes: number,
): void {
  const problem = describeShortTimeout(minutes, deps.deadlinePolicy);
  if (problem === null) return;
  let reported = reportedShortTimeouts.get(rtm);
  if (!reported) reportedShortTimeouts.set(rtm, (reported = new Set<string>()));
  if (!reported.has(purchaseId)) {
    if (reported.size >= MAX_REPORTED) reported.clear();
    reported.add(purchaseId);
    deps.logger.log("warn", "rtm: payment timeout too short", {
      purchaseId,
      timeoutMinutes: minutes,
      problem: `the payment provider record's "Payment timeout (minutes)" ${problem}`,
    });
  }
  throw new HttpError(
    409,
    "RTM_TIMEOUT_TOO_SHORT",
    `Payment cannot start: this event's payment provider allows ${minutes} minutes to pay ("Payment timeout (minutes)" in Dynamics), too short to take a payment safely; the organizer must raise it to at least ${shortestTimeoutMinutes(deps.deadlinePolicy)} minutes.`,
  );
}

/** The purchase's payment window in minutes, or the refusal that says which setting is missing or short. */
function purchaseTimeout(
  rtm: RtmRouteOptions,
  deps: RtmRouteDeps,
  purchaseId: string,
  fromRecord: number | null,
): number {
  const minutes = chooseTimeoutMinutes(fromRecord, rtm.configuredTimeoutMinutes, deps.logger, purchaseId);
  if (minutes === null) {
    throw new CheckoutError(
      "RTM_TIMEOUT_UNKNOWN",
      "The payment provider's timeout could not be read from Dynamics and RTM_PAYMENT_TIMEOUT_MINUTES is not set; the endpoint's operator must set one of them.",
    );
  }
  refuseShortTimeout(rtm, deps, purchaseId, minutes);
  return minutes;
}

export async function handleRtmPay(request: Request, deps: RtmRouteDeps): Promise<Response> {
  const rtm = requireRtm(deps);
  const query = new URL(request.url).searchParams;
  const purchaseId = parsePurchaseId(query.get("purchaseId"));
  const span = {
    purchaseId,
    kind: "server" as const,
    attributes: { "http.route": "/v1/rtm/pay", "event.mode": "rtm" },
  };
  return (deps.tracing ?? NO_TRACING).root("checkout", span, () => payRtm(query, purchaseId, rtm, deps));
}

async function payRtm(
  query: URLSearchParams,
  purchaseId: string,
  rtm: RtmRouteOptions,
  deps: RtmRouteDeps,
): Promise<Response> {
  const back = pickReturnUrl(query.get("returnUrl"), deps.portalOrigins, rtm.defaultReturnUrl);
  if (back.source === "foreign_origin" || back.source === "invalid") {
    deps.logger.log("warn", "rtm: returnUrl not followed; using the default", {
      purchaseId,
      reason: back.source,
    });
  }

  const known = await deps.store.getPurchase(purchaseId);
  if (known && known.mode !== "rtm") {
    throw new CheckoutError(
      "WRONG_FLOW",
      "This purchase was started on the Event Portal; pay for it on the portal's payment page.",
    );
  }
  const common = {
    purchaseId,
    claimedUserId: null,
    locale: null,
    returnUrl: back.url,
    mode: "rtm" as const,
    cancelUrl: cancelLink(rtm, purchaseId, back.url, deps.clock.now()),
  };
  if (known) {
    // Seen before: its price, deadline and open page are in the store.
    const { checkout } = await startCheckout(deps, { ...common, readableEventId: known.readableEventId });
    return redirect(checkout.redirectUrl);
  }

  const clock = deps.clock;
  // Waiting for the row, the event and its provider: about six reads for an id nobody stored yet.
  deps.readGuard?.admit({ client: deps.client ?? "unknown", route: "rtm_pay", purchaseId, reads: 6 });
  let waited;
  try {
    waited = await waitForRtmPurchase(deps.dataverse, purchaseId, {
      clock,
      sleep: rtm.sleep ?? realSleep,
      budgetMs: rtm.purchaseWaitMs,
    });
  } catch (error) {
    deps.logger.log("warn", "rtm: purchase read failed", { purchaseId, error });
    throw refusalFromDataverse(error);
  }
  if (!waited.ready) {
    deps.metrics.increment("gateway_checkouts_total", { outcome: "rtm_not_ready" });
    if (waited.row === null) {
      deps.readGuard?.rememberMissing(purchaseId);
      throw new CheckoutError(
        "PURCHASE_NOT_READY",
        "Your registration is still being recorded; reload this page in a few seconds.",
      );
    }
    throw new CheckoutError(
      "PURCHASE_UNREADABLE",
      "The purchase's price could not be read from Dynamics (msevtmgt_totalprice and its currency); the organizer must check the event's passes.",
    );
  }
  const row = waited.row!;

  const event = await rtm.readEvent(purchaseId, { deadline: clock.now() + 10_000 });
  if (event.usesPaymentProvider === false) {
    // The mode comes from the event, not from whichever route saw the purchase first.
    throw new CheckoutError(
      "WRONG_FLOW",
      "This event takes payments on its portal's payment page, not through a real-time journeys payment provider.",
    );
  }
  const minutes = purchaseTimeout(rtm, deps, purchaseId, event.timeoutMinutes);
  const { checkout } = await startCheckout(
    {
      ...deps,
      dataverse: withKnownRow(deps.dataverse, row),
      deadlinePolicy: { ...deps.deadlinePolicy, rtmTimeoutMinutes: minutes },
    },
    { ...common, readableEventId: event.readableEventId ?? UNKNOWN_EVENT, eventName: event.eventName },
  );
  deps.logger.log("info", "rtm: checkout", {
    purchaseId,
    timeoutMinutes: minutes,
    reads: waited.reads,
    returnUrl: back.source,
  });
  return redirect(checkout.redirectUrl);
}

export async function handleRtmCancel(
  request: Request,
  deps: RtmRouteDeps & { store: PaymentStore },
): Promise<Response> {
  const rtm = requireRtm(deps);
  const query = new URL(request.url).searchParams;
  const purchaseId = parsePurchaseId(query.get("purchaseId"));
  const back = pickReturnUrl(query.get("returnUrl"), deps.portalOrigins, rtm.defaultReturnUrl);
  if (!verifyCancelLink(query, deps.clock.now(), rtm.linkSecret)) {
    // Not a link this endpoint made (or an old one): nothing is cancelled; the shopper goes back.
    deps.metrics.increment("gateway_rejected_requests_total", { route: "rtm_cancel", reason: "bad_proof" });
    return redirect(withReturnMarker(back.url, "cancel"));
  }
  const purchase = await deps.store.getPurchase(purchaseId);
  if (purchase && purchase.mode === "rtm" && purchase.state === "awaiting_payment") {
    // The guard job closes the open pages and expires the purchase (a page paid meanwhile still
    // wins); expiring it reports Cancelled to Dynamics. Re-arming it now is all the route does.
    const now = deps.clock.now();
    await deps.store.enqueueJob(guardJob(purchaseId, now), now);
    deps.onWorkStored?.();
    deps.logger.log("info", "rtm: cancelled by the shopper", { purchaseId });
  }
  return redirect(withReturnMarker(back.url, "cancel"));
}
