// GET /v1/purchases/{id}/status: what the portal page polls after the shopper comes back. No
// personal data; the confirmation URL only once Dataverse has the registrations. With
// `?wait=N&seen=<status>` the answer is held while the status is still the one the page saw
// (status-wait.ts), so the page learns of a change at once without polling fast.

import { buildConfirmationUrl, PURCHASE_STATUSES, SEEN_QUERY, WAIT_QUERY } from "../contract/v1";
import type { PurchaseStatus, ReasonCode, StatusAnswer } from "../contract/v1";
import { HttpError } from "../errors";
import { visibleStatus } from "../lifecycle/visible-status";
import { normalizeGuid } from "../guid";
import { jsonResponse } from "../http/responses";
import type { Clock } from "../clock";
import { paymentJob } from "../lifecycle/jobs";
import type { ProviderSet } from "../providers/registry";
import type { PaymentStore, PurchaseRecord } from "../store/types";
import { MAX_WAIT_SECONDS } from "./status-wait";
import type { StatusWaiter } from "./status-wait";

const REFUND_STATES: ReadonlySet<StatusAnswer["status"]> = new Set(["refund_pending", "refunded", "failed"]);
/** Statuses that never change again: a request that saw one is never held. */
const FINAL_STATES: ReadonlySet<StatusAnswer["status"]> = new Set(["finalized", "refunded", "failed"]);

/**
 * Why the purchase's money goes back, as a stable code the page turns into a sentence
 * (deadline_passed, amount_mismatch, finalize_rejected, …). A duplicate payment's refund does not
 * explain the purchase's own, so it counts only when it is the only one.
 */
async function refundReason(store: PaymentStore, purchaseId: string): Promise<ReasonCode | null> {
  // A refund a person requested never explains a purchase's end state (it leaves it as it is).
  const refunds = (await store.listRefunds(purchaseId)).filter((r) => r.reason !== "requested");
  const own = refunds.find((r) => r.reason !== "duplicate_payment") ?? refunds[0];
  return own && own.reason !== "requested" ? own.reason : null;
}

export interface StatusRouteDeps {
  store: PaymentStore;
  providers?: ProviderSet;
  clock?: Clock;
  onWorkStored?: () => void;
  /** Holds long-poll requests; omitted → every request is answered at once. */
  statusWaiter?: StatusWaiter;
}

/**
 * Back from the provider: an open page of a provider that captures approved payments (PayPal)
 * gets its payment job now, so capture does not wait for the provider's webhook. Capture is
 * idempotent (its key is the payment's), so the two paths capture once.
 */
async function checkOnReturn(deps: StatusRouteDeps, purchase: PurchaseRecord): Promise<void> {
  if (!deps.providers || !deps.clock || purchase.state !== "awaiting_payment") return;
  const now = deps.clock.now();
  const open = (await deps.store.listCheckouts(purchase.purchaseId)).filter(
    (c) => c.state === "open" && c.providerSessionId && deps.providers!.get(c.provider)?.capture,
  );
  for (const c of open) {
    const payload = {
      provider: c.provider,
      providerSessionId: c.providerSessionId,
      // The page only: the provider says which payment it carries (Adyen names it in its notification).
      providerPaymentId: null,
      hintPurchaseId: purchase.purchaseId,
    };
    await deps.store.enqueueJob(paymentJob(payload, now), now);
  }
  if (open.length > 0) deps.onWorkStored?.();
}

/** The page's answer for a purchase as it stands; null when the store does not know it. */
async function readAnswer(store: PaymentStore, purchaseId: string): Promise<StatusAnswer | null> {
  const purchase = await store.getPurchase(purchaseId);
  if (!purchase) return null;
  return {
    status: visibleStatus(purchase, await store.listPayments(purchase.purchaseId)),
    readableEventId: purchase.readableEventId,
    ...(purchase.state === "finalized"
      ? {
          confirmationUrl: buildConfirmationUrl(
            purchase.returnOrigin,
            purchase.readableEventId,
            purchase.confirmationPath ?? undefined,
          ),
        }
      : {}),
    ...(REFUND_STATES.has(purchase.state) ? { reason: await refundReason(store, purchase.purchaseId) } : {}),
  };
}

export interface StatusRequestOptions {
  /** The first poll after the attendee came back from the provider. */
  returned?: boolean;
  /** Long poll: hold the answer up to `seconds` while the status is still `seen`. */
  wait?: { seconds: number; seen: PurchaseStatus } | null;
  /** Aborted when the client goes away (a held request is let go). */
  signal?: AbortSignal;
}

export async function handlePurchaseStatus(
  rawId: string,
  deps: StatusRouteDeps,
  options: StatusRequestOptions = {},
): Promise<Response> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawId);
  } catch {
    throw new HttpError(400, "INVALID_REQUEST", "The purchase id in the path is not a GUID.");
  }
  const purchaseId = normalizeGuid(decoded);
  if (purchaseId === null)
    throw new HttpError(400, "INVALID_REQUEST", "The purchase id in the path is not a GUID.");
  if (options.returned) {
    const purchase = await deps.store.getPurchase(purchaseId);
    if (purchase) await checkOnReturn(deps, purchase);
  }
  let answer = await readAnswer(deps.store, purchaseId);
  if (!answer) {
    throw new HttpError(
      404,
      "PURCHASE_NOT_FOUND",
      "No payment was started for this purchase here; start checkout first.",
    );
  }
  const wait = options.wait;
  if (wait && deps.statusWaiter && answer.status === wait.seen && !FINAL_STATES.has(answer.status)) {
    const known = answer;
    const held = deps.statusWaiter.hold(
      purchaseId,
      wait.seen,
      wait.seconds,
      async () => (await readAnswer(deps.store, purchaseId)) ?? known,
      options.signal,
    );
    if (held) answer = await held;
  }
  // Told only while a held request would fit: past the cap, the page polls on its own schedule.
  if (deps.statusWaiter?.canHold() && !FINAL_STATES.has(answer.status))
    answer = { ...answer, longPollSeconds: MAX_WAIT_SECONDS };
  return jsonResponse(200, answer);
}

/**
 * The `wait` and `seen` query parameters of a status request; null (answer at once) when either is
 * missing or not understood, so an unknown value never holds a request.
 */
export function readWaitQuery(query: URLSearchParams): StatusRequestOptions["wait"] {
  const wait = query.get(WAIT_QUERY);
  const seen = query.get(SEEN_QUERY);
  if (wait === null || seen === null || !/^\d{1,3}(\.\d{1,3})?$/.test(wait)) return null;
  if (!(PURCHASE_STATUSES as readonly string[]).includes(seen)) return null;
  const seconds = Math.min(Number(wait), MAX_WAIT_SECONDS);
  return seconds > 0 ? { seconds, seen: seen as PurchaseStatus } : null;
}
