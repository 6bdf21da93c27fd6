// The effects that request one refund: the refund row (key refund:<paymentId>:<reason>, also the
// provider idempotency key, so a repeat after a crash cannot refund twice) and its outbox job.

import type { RefundJobPayload } from "./jobs";
import { refundJob, refundKeyFor } from "./jobs";
import type { JobEffects } from "../store/types";

export type RefundPlan = Omit<RefundJobPayload, "refundKey">;

export function planRefund(plan: RefundPlan, now: number): Required<Pick<JobEffects, "refunds" | "jobs">> {
  return {
    refunds: [
      {
        refundKey: refundKeyFor(plan.providerPaymentId, plan.reason),
        purchaseId: plan.purchaseId,
        provider: plan.provider,
        providerPaymentId: plan.providerPaymentId,
        amountMinor: plan.amountMinor,
        currency: plan.currency,
        reason: plan.reason,
      },
    ],
    jobs: [refundJob(plan, now)],
  };
}
