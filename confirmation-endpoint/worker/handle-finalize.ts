// A finalize job: turn the purchase's winning payment into registrations before the guard, or
// refund it. The "sent" mark is committed before the call, so after a crash (or any answer that
// may have taken effect) the purchase row is probed before anything is resent or refunded.

import { DataverseError, DeadlineExceededError } from "../dataverse/errors";
import type { FinalizeOutcome } from "../dataverse/types";
import type { PurchaseRecord } from "../store/types";
import { backoffDelayMs, nextTryBeforeGuard } from "./backoff";
import type { StepContext, StepResult } from "./context";
import { describeError } from "./describe-error";
import { planRefund } from "../lifecycle/plan-refund";

const THROTTLE_CODES = new Set(["0x80072322", "0x80072321", "0x80072326"]);
/** Probes are not bound by the deadline, but a purchase nobody can read for a day goes to a human. */
const PROBE_GIVE_UP_AFTER_DEADLINE_MS = 24 * 60 * 60_000;
const PROBE_BACKOFF_CAP_MS = 5 * 60_000;

export async function handleFinalizeJob(ctx: StepContext): Promise<StepResult> {
  const { store, clock, job } = ctx;
  const purchaseId = String(job.payload.purchaseId);
  let purchase = await store.getPurchase(purchaseId);
  if (!purchase) return { outcome: "no_purchase", effects: { next: { kind: "done" } } };
  if (!["paid", "finalizing"].includes(purchase.state) || !purchase.winningPaymentId) {
    return { outcome: `nothing_to_do:${purchase.state}`, effects: { next: { kind: "done" } } };
  }

  if (purchase.finalizeInFlight || purchase.finalizeAmbiguous) {
    // A call may have reached Dataverse: probe first (probes are not bound by the deadline).
    let processed: boolean | null;
    try {
      const row = await ctx.dataverse.readPurchase(purchaseId);
      processed = row?.processed ?? null;
    } catch (error) {
      const now = clock.now();
      if (now > purchase.deadlineAt + PROBE_GIVE_UP_AFTER_DEADLINE_MS) {
        return {
          outcome: "dead_lettered",
          effects: {
            deadLetters: [
              {
                purchaseId,
                kind: "finalize",
                reason: "probe_failed",
                detail: `finalize may have run; the purchase row stayed unreadable: ${describeError(error)}`,
              },
            ],
            next: { kind: "done" },
          },
        };
      }
      const at = now + backoffDelayMs(job.attempts, ctx.random, { capMs: PROBE_BACKOFF_CAP_MS });
      return {
        outcome: "probe_retry",
        effects: { next: { kind: "retry", at, error: describeError(error) } },
      };
    }
    if (processed === true) return finalized(ctx, purchase, "probe");
    await ctx.commit({
      purchase: {
        purchaseId,
        expectedVersion: purchase.version,
        set: { finalizeInFlight: false, finalizeAmbiguous: false },
      },
    });
    purchase = {
      ...purchase,
      finalizeInFlight: false,
      finalizeAmbiguous: false,
      version: purchase.version + 1,
    };
  }

  if (clock.now() >= purchase.guardAt) return deadlinePath(ctx, purchase, "guard reached before finalize");

  await ctx.commit({
    purchase: {
      purchaseId,
      expectedVersion: purchase.version,
      set: { state: "finalizing", finalizeInFlight: true, finalizeAttempts: purchase.finalizeAttempts + 1 },
    },
  });
  purchase = {
    ...purchase,
    state: "finalizing",
    finalizeInFlight: true,
    finalizeAttempts: purchase.finalizeAttempts + 1,
    version: purchase.version + 1,
  };

  const started = clock.now();
  let outcome: FinalizeOutcome;
  try {
    if (purchase.mode === "rtm") {
      await ctx.dataverse.finalizeRtmPayment(purchaseId, "completed", { deadline: purchase.guardAt });
      outcome = { outcome: "finalized", status: null, actionName: "msevtmgt_finalizeregistrationpayment" };
    } else {
      outcome = await ctx.dataverse.finalizeRegistration(
        { purchaseId, readableEventId: purchase.readableEventId, userId: purchase.userId },
        { deadline: purchase.guardAt },
      );
    }
  } catch (error) {
    ctx.metrics.observeFinalizeSeconds((clock.now() - started) / 1000);
    return finalizeFailed(ctx, purchase, error);
  }
  ctx.metrics.observeFinalizeSeconds((clock.now() - started) / 1000);
  if (outcome.outcome === "finalized") return finalized(ctx, purchase, outcome.actionName);

  ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "rejected" });
  ctx.metrics.increment("gateway_dead_letters_total", { kind: "finalize" });
  return {
    outcome: "rejected",
    fields: { providerPaymentId: purchase.winningPaymentId, code: outcome.code },
    effects: {
      ...refundWinner(ctx, purchase, "finalize_rejected"),
      purchase: {
        purchaseId,
        expectedVersion: purchase.version,
        set: { state: "refund_pending", finalizeInFlight: false, lastError: `rejected: ${outcome.reason}` },
      },
      deadLetters: [
        {
          purchaseId,
          kind: "finalize",
          reason: "finalize_rejected",
          detail: `${outcome.code ?? "no code"}: ${outcome.reason} (status ${outcome.status ?? "none"})`,
        },
      ],
      next: { kind: "done" },
    },
  };
}

function finalized(ctx: StepContext, purchase: PurchaseRecord, via: string): StepResult {
  ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "finalized" });
  return {
    outcome: "finalized",
    fields: { providerPaymentId: purchase.winningPaymentId, via },
    effects: {
      purchase: {
        purchaseId: purchase.purchaseId,
        expectedVersion: purchase.version,
        set: { state: "finalized", finalizeInFlight: false, finalizeAmbiguous: false, lastError: null },
      },
      next: { kind: "done" },
    },
  };
}

function refundWinner(
  ctx: StepContext,
  purchase: PurchaseRecord,
  reason: "deadline_passed" | "finalize_rejected",
) {
  return planRefund(
    {
      purchaseId: purchase.purchaseId,
      provider: purchase.winningProvider ?? ctx.providers.active.name,
      providerPaymentId: purchase.winningPaymentId!,
      amountMinor: purchase.expectedMinor,
      currency: purchase.currency,
      reason,
      winner: true,
    },
    ctx.clock.now(),
  );
}

function deadlinePath(ctx: StepContext, purchase: PurchaseRecord, why: string): StepResult {
  ctx.metrics.increment("gateway_deadline_misses_total");
  const plan = refundWinner(ctx, purchase, "deadline_passed");
  return {
    outcome: "deadline_refund",
    fields: { providerPaymentId: purchase.winningPaymentId, why },
    effects: {
      ...plan,
      purchase: {
        purchaseId: purchase.purchaseId,
        expectedVersion: purchase.version,
        set: { state: "refund_pending", finalizeInFlight: false, lastError: why },
      },
      next: { kind: "done" },
    },
  };
}

function finalizeFailed(ctx: StepContext, purchase: PurchaseRecord, error: unknown): StepResult {
  const now = ctx.clock.now();
  const detail = describeError(error);
  const cause = error instanceof DeadlineExceededError ? error.cause : error;
  const ambiguous =
    cause instanceof DataverseError ? cause.ambiguous : !(error instanceof DeadlineExceededError);
  const throttled =
    cause instanceof DataverseError && (cause.status === 429 || THROTTLE_CODES.has(cause.code.toLowerCase()));
  if (throttled) ctx.metrics.increment("gateway_dataverse_throttles_total");

  if (ambiguous) {
    // The call may have landed: keep the in-flight mark, probe on the next pass (soon, even past the guard).
    ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "ambiguous" });
    return {
      outcome: "ambiguous",
      fields: { error: detail },
      effects: {
        purchase: {
          purchaseId: purchase.purchaseId,
          expectedVersion: purchase.version,
          set: { finalizeAmbiguous: true, lastError: detail },
        },
        next: { kind: "retry", at: now + backoffDelayMs(1, ctx.random), error: detail },
      },
    };
  }
  const notLanded = { finalizeInFlight: false, lastError: detail };
  if (error instanceof DeadlineExceededError) {
    ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "deadline" });
    return deadlinePath(ctx, purchase, `Dataverse could not answer before the guard: ${detail}`);
  }
  if (error instanceof DataverseError && !error.retryable) {
    ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "rejected" });
    ctx.metrics.increment("gateway_dead_letters_total", { kind: "finalize" });
    const plan = refundWinner(ctx, purchase, "finalize_rejected");
    return {
      outcome: "rejected",
      fields: { code: error.code, status: error.status, requestId: error.requestId },
      effects: {
        ...plan,
        purchase: {
          purchaseId: purchase.purchaseId,
          expectedVersion: purchase.version,
          set: { ...notLanded, state: "refund_pending" },
        },
        deadLetters: [
          {
            purchaseId: purchase.purchaseId,
            kind: "finalize",
            reason: "finalize_rejected",
            detail: `${error.status} ${error.code}: ${error.message}`,
          },
        ],
        next: { kind: "done" },
      },
    };
  }
  ctx.metrics.increment("gateway_finalize_attempts_total", {
    outcome: throttled ? "throttled" : "transient",
  });
  const retryAfterMs = error instanceof DataverseError ? error.retryAfterMs : undefined;
  const at = nextTryBeforeGuard({
    now,
    guardAt: purchase.guardAt,
    attempt: purchase.finalizeAttempts,
    retryAfterMs,
    random: ctx.random,
  });
  if (at === null)
    return deadlinePath(ctx, purchase, `Retry-After (${retryAfterMs} ms) reaches past the guard`);
  return {
    outcome: throttled ? "throttled" : "retry",
    fields: { error: detail, retryAt: new Date(at).toISOString() },
    effects: {
      purchase: { purchaseId: purchase.purchaseId, expectedVersion: purchase.version, set: notLanded },
      next: { kind: "retry", at, error: detail },
    },
  };
}
