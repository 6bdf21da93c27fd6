// The effects that request one refund: the refund row (key refund:<paymentId>:<reason>, also the
// provider idempotency key, so a repeat after a crash cannot refund twice) and its outbox job.

import type { RefundReason } from "../providers/types";
import type { JobEffects } from "../store/types";

export interface RefundPlan {
  purchaseId: string | null;
  provider: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  reason: RefundReason;
  /** The refunded payment is the purchase's winning one: the purchase's status follows the refund. */
  winner: boolean;
}

export function refundKeyFor(providerPaymentId: string, reason: RefundReason): string {
  return `refund:${providerPaymentId}:${reason}`;
}

export function planRefund(plan: RefundPlan, now: number): Required<Pick<JobEffects, "refunds" | "jobs">> {
  const refundKey = refundKeyFor(plan.providerPaymentId, plan.reason);
  return {
    refunds: [
      {
        refundKey,
        purchaseId: plan.purchaseId,
        provider: plan.provider,
        providerPaymentId: plan.providerPaymentId,
        amountMinor: plan.amountMinor,
        currency: plan.currency,
        reason: plan.reason,
      },
    ],
    jobs: [
      {
        dedupe: refundKey,
        purchaseId: plan.purchaseId,
        kind: "refund",
        payload: { ...plan, refundKey },
        notBefore: now,
      },
    ],
  };
}
