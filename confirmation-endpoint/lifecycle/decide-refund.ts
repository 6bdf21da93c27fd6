// What a refund's result does: the refund row, the payment row, a dead letter when the money could
// not go back, and, for the purchase's winning payment, the purchase's own end state. One place for
// both ways a result arrives: the refund job's answer and the provider's refund webhook.

import { describeMoney } from "../providers/money";
import type { JobEffects, PurchaseRecord, RefundRecord, RefundState } from "../store/types";
import { movePurchase } from "./transitions";

export interface RefundResultFacts {
  refund: Pick<
    RefundRecord,
    "refundKey" | "purchaseId" | "provider" | "providerPaymentId" | "amountMinor" | "currency" | "reason"
  >;
  status: Exclude<RefundState, "requested">;
  providerRefundId: string | null;
  failure: string | null;
  /** The purchase, when this refund returns its winning payment. */
  winnerOf: PurchaseRecord | null;
}

export function decideRefundResult(f: RefundResultFacts): Omit<JobEffects, "next"> {
  const { refund, status } = f;
  const effects: Omit<JobEffects, "next"> = {
    refundUpdates: [
      {
        refundKey: refund.refundKey,
        state: status,
        providerRefundId: f.providerRefundId,
        lastError: f.failure,
      },
    ],
    payments: [
      {
        provider: refund.provider,
        providerPaymentId: refund.providerPaymentId,
        purchaseId: refund.purchaseId,
        providerSessionId: null,
        amountMinor: refund.amountMinor,
        currency: refund.currency,
        state: status === "succeeded" ? "refunded" : status === "failed" ? "refund_failed" : "refunding",
      },
    ],
  };
  if (status === "failed") {
    const money = describeMoney({ minor: refund.amountMinor, currency: refund.currency });
    effects.deadLetters = [
      {
        purchaseId: refund.purchaseId,
        kind: "refund",
        reason: "refund_failed",
        detail: `${refund.refundKey} (${money}): ${f.failure ?? "the provider reported the refund failed"}`,
      },
    ];
  }
  const purchase = f.winnerOf;
  if (purchase && status !== "pending" && purchase.state === "refund_pending") {
    effects.purchase =
      status === "succeeded"
        ? movePurchase(purchase, "refunded", "refund_succeeded")
        : movePurchase(purchase, "failed", "refund_failed");
  }
  return effects;
}

/** The purchase whose winning payment `refund` returns, among what the store holds. */
export function winnerPurchase(
  refund: Pick<RefundRecord, "providerPaymentId">,
  purchase: PurchaseRecord | null,
): PurchaseRecord | null {
  return purchase && purchase.winningPaymentId === refund.providerPaymentId ? purchase : null;
}
