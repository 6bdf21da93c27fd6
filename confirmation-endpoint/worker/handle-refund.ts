// A refund job: ask the provider to return a payment, always with the same idempotency key
// (refund:<paymentId>:<reason>), so a retry after a crash or a timeout cannot pay out twice. A
// refund the provider reports failed, or one that keeps erroring, goes to the dead-letter table.

import { describeMoney } from "../providers/money";
import type { RefundReason } from "../providers/types";
import type { JobEffects } from "../store/types";
import { backoffDelayMs } from "./backoff";
import type { StepContext, StepResult } from "./context";
import { describeError } from "./describe-error";

/** Transient refund errors are retried for roughly half an hour (backoff up to 10 min), then dead-lettered. */
const MAX_REFUND_ATTEMPTS = 12;
const REFUND_BACKOFF_CAP_MS = 10 * 60_000;

interface RefundPayload {
  refundKey: string;
  purchaseId: string | null;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  reason: RefundReason;
  winner: boolean;
}

export async function handleRefundJob(ctx: StepContext): Promise<StepResult> {
  const { job, store, provider, clock, metrics } = ctx;
  const p = job.payload as unknown as RefundPayload;
  const existing = (await store.listRefunds(p.purchaseId ?? undefined)).find(
    (r) => r.refundKey === p.refundKey,
  );
  if (existing && (existing.state === "succeeded" || existing.state === "failed")) {
    return { outcome: `already_${existing.state}`, effects: { next: { kind: "done" } } };
  }
  const fields = { providerPaymentId: p.providerPaymentId, reason: p.reason };
  let status: "pending" | "succeeded" | "failed";
  let refundId: string | null = null;
  let failure: string | null = null;
  try {
    const result = await provider.refund(
      {
        providerPaymentId: p.providerPaymentId,
        amount: { minor: p.amountMinor, currency: p.currency },
        reason: p.reason,
        purchaseId: p.purchaseId ?? "",
      },
      { idempotencyKey: p.refundKey },
    );
    status = result.status;
    refundId = result.refundId;
  } catch (error) {
    const retryable = (error as { retryable?: unknown }).retryable !== false;
    if (retryable && job.attempts < MAX_REFUND_ATTEMPTS) {
      metrics.increment("gateway_refunds_total", { reason: p.reason, status: "retry" });
      return {
        outcome: "retry",
        fields: { ...fields, error: describeError(error) },
        effects: {
          refundUpdates: [{ refundKey: p.refundKey, state: "requested", lastError: describeError(error) }],
          next: {
            kind: "retry",
            at: clock.now() + backoffDelayMs(job.attempts, ctx.random, { capMs: REFUND_BACKOFF_CAP_MS }),
            error: describeError(error),
          },
        },
      };
    }
    status = "failed";
    failure = describeError(error);
  }
  metrics.increment("gateway_refunds_total", { reason: p.reason, status });
  const effects: JobEffects = {
    refundUpdates: [
      { refundKey: p.refundKey, state: status, providerRefundId: refundId, lastError: failure },
    ],
    payments: [
      {
        provider: provider.name,
        providerPaymentId: p.providerPaymentId,
        purchaseId: p.purchaseId,
        providerSessionId: null,
        amountMinor: p.amountMinor,
        currency: p.currency,
        state: status === "succeeded" ? "refunded" : status === "failed" ? "refund_failed" : "refunding",
      },
    ],
    next: { kind: "done" },
  };
  if (status === "failed") {
    metrics.increment("gateway_dead_letters_total", { kind: "refund" });
    effects.deadLetters = [
      {
        purchaseId: p.purchaseId,
        kind: "refund",
        reason: "refund_failed",
        detail: `${p.refundKey} (${describeMoney({ minor: p.amountMinor, currency: p.currency })}): ${failure ?? "the provider reported the refund failed"}`,
      },
    ];
  }
  if (p.winner && p.purchaseId && status !== "pending") {
    const purchase = await store.getPurchase(p.purchaseId);
    if (
      purchase &&
      purchase.winningPaymentId === p.providerPaymentId &&
      purchase.state === "refund_pending"
    ) {
      effects.purchase = {
        purchaseId: purchase.purchaseId,
        expectedVersion: purchase.version,
        set: { state: status === "succeeded" ? "refunded" : "failed" },
      };
    }
  }
  return { outcome: `refund_${status}`, fields, effects };
}
