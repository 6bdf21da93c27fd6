// The v1 contract between the gateway page and the confirmation endpoint, written once: the
// request and answer shapes, the purchase statuses, the reason codes, the error codes, and the
// URLs both sides build (where the shopper comes back to, where the confirmation lives).
// Node-free on purpose: the routes, the tests and the page's browser bundle all import it.

/** Every status GET /v1/purchases/{id}/status can answer, in the order a purchase moves. */
export const PURCHASE_STATUSES = [
  "awaiting_payment",
  "paid",
  "finalizing",
  "finalized",
  "refund_pending",
  "refunded",
  "expired",
  "failed",
] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

/** Why a purchase's money goes back (or why it failed); the page turns each into a sentence. */
export const REASON_CODES = [
  "deadline_passed",
  "amount_mismatch",
  "finalize_rejected",
  "duplicate_payment",
  "unknown_purchase",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * The stable `error.code` values of the two routes the page calls (POST /v1/checkout, GET
 * /v1/purchases/{id}/status), the shared edges (CORS, body reading, routing) included; never
 * reworded. The page branches on the HTTP status; the codes are for people and logs.
 */
export const ERROR_CODES = [
  "BAD_REQUEST",
  "INVALID_REQUEST",
  "INVALID_JSON",
  "BODY_UNREADABLE",
  "PAYLOAD_TOO_LARGE",
  "ORIGIN_NOT_ALLOWED",
  "RETURN_URL_NOT_ALLOWED",
  "RATE_LIMITED",
  "EVENT_MISMATCH",
  "PURCHASE_NOT_FOUND",
  "ALREADY_PAID",
  "PURCHASE_CLOSED",
  "TOO_LATE",
  "PURCHASE_UNREADABLE",
  "DATAVERSE_UNAVAILABLE",
  "PROVIDER_UNAVAILABLE",
  "PROVIDER_ERROR",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Body of POST /v1/checkout, sent by the gateway page. */
export interface CheckoutRequest {
  purchaseId: string;
  readableEventId: string;
  /** Contact id of the signed-in attendee; left out for anonymous registration. */
  userId?: string;
  locale?: string;
  /** The gateway page itself, without return markers; the endpoint adds them per outcome. */
  returnUrl: string;
  /** The portal's confirmation page path (`eventPortal.confirmationPath`), when the page knows it. */
  confirmationPath?: string;
}

export interface AttendeeLine {
  name: string | null;
  passName: string | null;
  amountMinor: number | null;
}

/** 200 answer of POST /v1/checkout. Times are ISO 8601 strings. */
export interface CheckoutAnswer {
  purchase: {
    purchaseId: string;
    readableEventId: string;
    eventName: string | null;
    amount: { minor: number; currency: string };
    attendees: AttendeeLine[];
    /** The last moment to pay; the page counts down to it. */
    expiresAt: string;
    /** The moment Dataverse stops accepting the registration. */
    deadlineAt: string;
  };
  payment: { provider: string; redirectUrl: string; expiresAt: string };
}

/** 200 answer of GET /v1/purchases/{id}/status: no personal data. */
export interface StatusAnswer {
  status: PurchaseStatus;
  readableEventId: string;
  /** Only once finalized. */
  confirmationUrl?: string;
  /** Only for refund_pending, refunded and failed; null when no refund explains it. */
  reason?: ReasonCode | null;
  /**
   * The endpoint will hold the next status request up to this many seconds (`?wait=N&seen=`)
   * while the status stays the same. Absent: poll on the page's own schedule.
   */
  longPollSeconds?: number;
}

/** Every error answer of every route. */
export interface ErrorAnswer {
  error: { code: string; message: string };
}

// ---- URLs ---------------------------------------------------------------------------------------

/** The Event Portal's own confirmation page (definitions.yml `eventPortal.confirmationPath`). */
export const DEFAULT_CONFIRMATION_PATH = "/event/confirmation";

/**
 * GET /v1/purchases/{id}/status?returned=1: the page's first poll after the attendee came back
 * from the provider. A provider whose payments are approved, then captured (PayPal), is asked
 * about the open page at once, so capture does not wait for its webhook.
 */
export const RETURNED_QUERY = "returned";

/**
 * GET /v1/purchases/{id}/status?wait=N&seen=<status>: long poll. The endpoint may hold the answer
 * up to N seconds (it cuts N to its own maximum, 25) while the purchase's status is still `seen`,
 * and answers as soon as it changes. Its answers say when it will hold the next request
 * (`longPollSeconds`); an endpoint that does not (an older one, one at its cap of held requests)
 * answers at once, as a plain poll.
 */
export const WAIT_QUERY = "wait";
export const SEEN_QUERY = "seen";

/** The query parameter the endpoint adds to the return URL: `success` or `cancel`. */
export const RETURN_MARKER = "gatewayReturn";
/** The page's own marker before v1 settled on one (`epg=return`); still read, never written. */
export const LEGACY_RETURN_MARKER = "epg";
export type ReturnOutcome = "success" | "cancel";

/** A path on the portal's own site: one leading `/`, no host, query or fragment. */
export function isSitePath(value: string): boolean {
  return /^\/(?!\/)[^\s\\?#]*$/.test(value);
}

/** The portal's confirmation page for an event; a path that is not a site path falls back to the default. */
export function buildConfirmationUrl(
  portalOrigin: string,
  readableEventId: string,
  confirmationPath: string = DEFAULT_CONFIRMATION_PATH,
): string {
  const path = isSitePath(confirmationPath) ? confirmationPath : DEFAULT_CONFIRMATION_PATH;
  const url = new URL(path, portalOrigin);
  url.searchParams.set("id", readableEventId);
  return url.toString();
}

const isMarker = (name: string) =>
  [RETURN_MARKER, LEGACY_RETURN_MARKER].some((m) => m.toLowerCase() === name.toLowerCase());

/** `url` without any return marker (either name, any case) or fragment. */
export function withoutReturnMarkers(url: string): string {
  const parsed = new URL(url);
  for (const key of [...parsed.searchParams.keys()]) if (isMarker(key)) parsed.searchParams.delete(key);
  parsed.hash = "";
  return parsed.toString();
}

/** The URL the provider sends the shopper back to for one outcome. */
export function withReturnMarker(returnUrl: string, outcome: ReturnOutcome): string {
  const url = new URL(withoutReturnMarkers(returnUrl));
  url.searchParams.set(RETURN_MARKER, outcome);
  return url.toString();
}

/**
 * How the shopper arrived: back from the provider after paying (`success`, also the legacy
 * `epg=return`), back after cancelling there (`cancel`), or fresh (null). A cancel anywhere wins.
 */
export function readReturnOutcome(href: string): ReturnOutcome | null {
  const values = [...new URL(href).searchParams]
    .filter(([key]) => isMarker(key))
    .map(([, value]) => value.toLowerCase());
  if (values.length === 0) return null;
  return values.some((v) => v.startsWith("cancel")) ? "cancel" : "success";
}
