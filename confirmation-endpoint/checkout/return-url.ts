// The URLs a provider sends the shopper back to: the portal page that started checkout, with the
// v1 return marker so the page knows the shopper came back (and how). The marker proves nothing;
// the page polls the status route, which only the verified webhook moves. The rule itself lives
// in the v1 contract, which the gateway page reads with the same code.
//
// A hosted page keeps the return URLs it was opened with. Each attempt's idempotency key ends with
// a short tag of them, so a later checkout from another page (the attendee switched to French, and
// the page's address now starts with /fr-FR) can tell the open page would bring them back to the
// wrong one, and open a new page instead of handing back the old.
import { createHash } from "node:crypto";
import { withoutReturnMarkers } from "../contract/v1";

export { withReturnMarker } from "../contract/v1";

const TAG = /:r([0-9a-f]{12})$/;

/**
 * A short, stable tag of where a hosted page sends the shopper back (markers and fragment ignored).
 * The return URL only: a caller's own cancel URL may change on every request (the real-time
 * journeys cancel link carries a proof with an expiry) without sending the shopper elsewhere.
 */
export function returnTag(returnUrl: string): string {
  return createHash("sha256").update(withoutReturnMarkers(returnUrl)).digest("hex").slice(0, 12);
}

/** The idempotency key of one checkout attempt, carrying the tag of its return URLs. */
export function checkoutAttemptKey(purchaseId: string, attempt: number, tag: string): string {
  return `checkout:${purchaseId}:${attempt}:r${tag}`;
}

/**
 * True when an attempt was opened for other return URLs than `tag`. A key without a tag (made
 * before tags existed) is never called different: its page is kept as it always was.
 */
export function returnsElsewhere(idempotencyKey: string, tag: string): boolean {
  const found = TAG.exec(idempotencyKey)?.[1];
  return found !== undefined && found !== tag;
}
