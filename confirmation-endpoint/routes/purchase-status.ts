// GET /v1/purchases/{id}/status: what the portal page polls after the shopper comes back. No
// personal data; the confirmation URL only once Dataverse has the registrations.

import { buildConfirmationUrl } from "../contract/v1";
import type { ReasonCode, StatusAnswer } from "../contract/v1";
import { HttpError } from "../errors";
import { visibleStatus } from "../lifecycle/visible-status";
import { normalizeGuid } from "../guid";
import { jsonResponse } from "../http/responses";
import type { Clock } from "../clock";
import { paymentJob } from "../lifecycle/jobs";
import type { ProviderSet } from "../providers/registry";
import type { PaymentStore, PurchaseRecord } from "../store/types";

const REFUND_STATES: ReadonlySet<StatusAnswer["status"]> = new Set(["refund_pending", "refunded", "failed"]);

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

export async function handlePurchaseStatus(
  rawId: string,
  deps: StatusRouteDeps,
  options: { returned?: boolean } = {},
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
  const purchase = await deps.store.getPurchase(purchaseId);
  if (!purchase) {
    throw new HttpError(
      404,
      "PURCHASE_NOT_FOUND",
      "No payment was started for this purchase here; start checkout first.",
    );
  }
  if (options.returned) await checkOnReturn(deps, purchase);
  const answer: StatusAnswer = {
    status: visibleStatus(purchase, await deps.store.listPayments(purchase.purchaseId)),
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
    ...(REFUND_STATES.has(purchase.state)
      ? { reason: await refundReason(deps.store, purchase.purchaseId) }
      : {}),
  };
  return jsonResponse(200, answer);
}
