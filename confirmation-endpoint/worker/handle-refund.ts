// A refund job: ask the provider that took the payment to return it, always with the same
// idempotency key (refund:<paymentId>:<reason>), so a retry after a crash or a timeout cannot pay
// out twice. What the answer changes is decided by the lifecycle (decideRefundResult).

import { decideRefundResult, winnerPurchase } from "../lifecycle/decide-refund";
import { typedJob } from "../lifecycle/jobs";
import { adapterFor } from "../providers/registry";
import type { RefundResult } from "../providers/types";
import { backoffDelayMs } from "./backoff";
import type { StepContext, StepResult } from "./context";
import { describeError } from "./describe-error";

/** Transient refund errors are retried for roughly half an hour (backoff up to 10 min), then dead-lettered. */
const MAX_REFUND_ATTEMPTS = 12;
const REFUND_BACKOFF_CAP_MS = 10 * 60_000;

export async function handleRefundJob(ctx: StepContext): Promise<StepResult> {
  const { job, store, clock, metrics } = ctx;
  const { payload: p } = typedJob(job, "refund");
  const existing = (await store.listRefunds(p.purchaseId ?? undefined)).find(
    (r) => r.refundKey === p.refundKey,
  );
  if (existing && (existing.state === "succeeded" || existing.state === "failed")) {
    return { outcome: `already_${existing.state}`, effects: { next: { kind: "done" } } };
  }
  const fields = { providerPaymentId: p.providerPaymentId, reason: p.reason };
  let result: Pick<RefundResult, "status"> & { refundId: string | null };
  let failure: string | null = null;
  try {
    result = await adapterFor(ctx.providers, p.provider).refund(
      {
        providerPaymentId: p.providerPaymentId,
        amount: { minor: p.amountMinor, currency: p.currency },
        reason: p.reason,
        purchaseId: p.purchaseId ?? "",
      },
      { idempotencyKey: p.refundKey },
    );
  } catch (error) {
    const retryable = (error as { retryable?: unknown }).retryable !== false;
    if (retryable && job.attempts < MAX_REFUND_ATTEMPTS) {
      metrics.increment("gateway_refunds_total", { reason: p.reason, status: "retry" });
      const at = clock.now() + backoffDelayMs(job.attempts, ctx.random, { capMs: REFUND_BACKOFF_CAP_MS });
      const detail = describeError(error);
      return {
        outcome: "retry",
        fields: { ...fields, error: detail },
        effects: {
          refundUpdates: [{ refundKey: p.refundKey, state: "requested", lastError: detail }],
          next: { kind: "retry", at, error: detail },
        },
      };
    }
    result = { status: "failed", refundId: null };
    failure = describeError(error);
  }
  metrics.increment("gateway_refunds_total", { reason: p.reason, status: result.status });
  if (result.status === "failed") metrics.increment("gateway_dead_letters_total", { kind: "refund" });
  const purchase = p.winner && p.purchaseId ? await store.getPurchase(p.purchaseId) : null;
  const effects = decideRefundResult({
    refund: p,
    status: result.status,
    providerRefundId: result.refundId,
    failure,
    winnerOf: winnerPurchase(p, purchase),
  });
  return { outcome: `refund_${result.status}`, fields, effects: { ...effects, next: { kind: "done" } } };
}
