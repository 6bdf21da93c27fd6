// A finalize job: turn the purchase's winning payment into registrations before the guard, or
// refund it. This is the one owner of finalize retries beyond transport (the Dataverse client only
// rides out throttling, 503s and token refreshes): the "sent" mark is committed before the call, so
// after a crash, an ambiguous answer or an unexpected `status`, the purchase row is probed before
// anything is resent or refunded, and that state lives in the store, not in one process's memory.

import { DataverseError, DeadlineExceededError } from "../dataverse/errors";
import { FINALIZE_STATUS_UNEXPECTED } from "../dataverse/operations/finalize-registration";
import { isThrottled } from "../dataverse/retry-policy";
import type { FinalizeOutcome } from "../dataverse/types";
import type { PurchaseRecord } from "../store/types";
import { backoffDelayMs, nextTryBeforeGuard } from "./backoff";
import type { StepContext, StepResult } from "./context";
import { describeError } from "./describe-error";
import { typedJob } from "../lifecycle/jobs";
import { planRefund } from "../lifecycle/plan-refund";
import { movePurchase, updatePurchase } from "../lifecycle/transitions";

/** Probes are not bound by the deadline, but a purchase nobody can read for a day goes to a human. */
const PROBE_GIVE_UP_AFTER_DEADLINE_MS = 24 * 60 * 60_000;
const PROBE_BACKOFF_CAP_MS = 5 * 60_000;

/** A refusal on its way to refund_pending: what goes into the log fields and the dead letter. */
interface Refusal {
  fields: Record<string, unknown>;
  detail: string;
  lastError: string;
}

type Probe = { processed: boolean | null } | { error: unknown };

export async function handleFinalizeJob(ctx: StepContext): Promise<StepResult> {
  const { purchaseId } = typedJob(ctx.job, "finalize").payload;
  const found = await ctx.store.getPurchase(purchaseId);
  if (!found) return { outcome: "no_purchase", effects: { next: { kind: "done" } } };
  if (!["paid", "finalizing"].includes(found.state) || !found.winningPaymentId) {
    return { outcome: `nothing_to_do:${found.state}`, effects: { next: { kind: "done" } } };
  }
  const settled = await probeIfUnclear(ctx, found);
  if ("effects" in settled) return settled;
  if (ctx.clock.now() >= settled.guardAt) return deadlinePath(ctx, settled, "guard reached before finalize");
  const purchase = await markSent(ctx, settled);

  const started = ctx.clock.now();
  let outcome: FinalizeOutcome;
  try {
    outcome = await callFinalize(ctx, purchase);
  } catch (error) {
    ctx.metrics.observeFinalizeSeconds((ctx.clock.now() - started) / 1000);
    // The lease went while the call waited: the worker that has the job now probes the row (the
    // "sent" mark is stored) before it sends; nothing this worker decides could be committed.
    if (ctx.leaseLost.aborted) throw ctx.leaseLost.reason;
    return finalizeFailed(ctx, purchase, error);
  }
  ctx.metrics.observeFinalizeSeconds((ctx.clock.now() - started) / 1000);
  if (outcome.outcome === "finalized") return finalized(ctx, purchase, outcome.actionName);
  const detail = `${outcome.code ?? "no code"}: ${outcome.reason} (status ${outcome.status ?? "none"})`;
  return settleRefusal(ctx, purchase, {
    fields: { providerPaymentId: purchase.winningPaymentId, code: outcome.code },
    detail,
    lastError: `rejected: ${outcome.reason}`,
  });
}

async function probeRow(ctx: StepContext, purchaseId: string): Promise<Probe> {
  try {
    const row = await ctx.dataverse.readPurchase(purchaseId);
    return { processed: row?.processed ?? null };
  } catch (error) {
    return { error };
  }
}

/**
 * When a call may have reached Dataverse (a crash after the "sent" mark, an ambiguous answer), reads
 * the row first: processed → finalized; not processed → clears the marks so finalize may be sent.
 */
async function probeIfUnclear(
  ctx: StepContext,
  purchase: PurchaseRecord,
): Promise<StepResult | PurchaseRecord> {
  if (!purchase.finalizeInFlight && !purchase.finalizeAmbiguous) return purchase;
  const probe = await probeRow(ctx, purchase.purchaseId);
  if ("error" in probe) return probeFailed(ctx, purchase, probe.error);
  if (probe.processed === true) return finalized(ctx, purchase, "probe");
  const cleared = { finalizeInFlight: false, finalizeAmbiguous: false };
  await ctx.commit({ purchase: updatePurchase(purchase, cleared) });
  return { ...purchase, ...cleared, version: purchase.version + 1 };
}

/** The row stayed unreadable: try again later (probes may run past the guard), a day later give up. */
function probeFailed(ctx: StepContext, purchase: PurchaseRecord, error: unknown): StepResult {
  const now = ctx.clock.now();
  if (now > purchase.deadlineAt + PROBE_GIVE_UP_AFTER_DEADLINE_MS) {
    const detail = `finalize may have run; the purchase row stayed unreadable: ${describeError(error)}`;
    return {
      outcome: "dead_lettered",
      effects: {
        deadLetters: [{ purchaseId: purchase.purchaseId, kind: "finalize", reason: "probe_failed", detail }],
        next: { kind: "done" },
      },
    };
  }
  const at = now + backoffDelayMs(ctx.job.attempts, ctx.random, { capMs: PROBE_BACKOFF_CAP_MS });
  return { outcome: "probe_retry", effects: { next: { kind: "retry", at, error: describeError(error) } } };
}

/** Commits "sent" before the call, so a crash after it is detectable. */
async function markSent(ctx: StepContext, purchase: PurchaseRecord): Promise<PurchaseRecord> {
  const set = { finalizeInFlight: true, finalizeAttempts: purchase.finalizeAttempts + 1 };
  const change =
    purchase.state === "finalizing"
      ? updatePurchase(purchase, set)
      : movePurchase(purchase, "finalizing", "finalize_started", set);
  await ctx.commit({ purchase: change });
  return { ...purchase, ...set, state: "finalizing", version: purchase.version + 1 };
}

async function callFinalize(ctx: StepContext, purchase: PurchaseRecord): Promise<FinalizeOutcome> {
  const { purchaseId } = purchase;
  // Without the lease another worker may be finalizing this purchase: no call after it is lost.
  const call = { deadline: purchase.guardAt, signal: ctx.leaseLost };
  if (purchase.mode === "rtm") {
    await ctx.dataverse.finalizeRtmPayment(purchaseId, "completed", call);
    return { outcome: "finalized", status: null, actionName: "msevtmgt_finalizeregistrationpayment" };
  }
  return ctx.dataverse.finalizeRegistration(
    { purchaseId, readableEventId: purchase.readableEventId, userId: purchase.userId },
    call,
  );
}

function finalized(ctx: StepContext, purchase: PurchaseRecord, via: string): StepResult {
  ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "finalized" });
  return {
    outcome: "finalized",
    fields: { providerPaymentId: purchase.winningPaymentId, via },
    effects: {
      purchase: movePurchase(purchase, "finalized", "finalized", {
        finalizeInFlight: false,
        finalizeAmbiguous: false,
        lastError: null,
      }),
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
      purchase: movePurchase(purchase, "refund_pending", "deadline_reached", {
        finalizeInFlight: false,
        lastError: why,
      }),
      next: { kind: "done" },
    },
  };
}

/** A second unexpected `status` in a row, the probe in between having said "not processed". */
function isRepeatedUnexpectedStatus(purchase: PurchaseRecord, error: unknown): boolean {
  return (
    error instanceof DataverseError &&
    error.code === FINALIZE_STATUS_UNEXPECTED &&
    (purchase.lastError ?? "").includes(FINALIZE_STATUS_UNEXPECTED)
  );
}

async function finalizeFailed(
  ctx: StepContext,
  purchase: PurchaseRecord,
  error: unknown,
): Promise<StepResult> {
  const detail = describeError(error);
  const cause = error instanceof DeadlineExceededError ? error.cause : error;
  const ambiguous =
    cause instanceof DataverseError ? cause.ambiguous : !(error instanceof DeadlineExceededError);
  const throttled = cause instanceof DataverseError && isThrottled(cause);
  if (throttled) ctx.metrics.increment("gateway_dataverse_throttles_total");

  if (isRepeatedUnexpectedStatus(purchase, error)) {
    const fields = { providerPaymentId: purchase.winningPaymentId, code: FINALIZE_STATUS_UNEXPECTED };
    return settleRefusal(ctx, purchase, { fields, detail, lastError: detail });
  }
  if (ambiguous) return ambiguousRetry(ctx, purchase, detail);
  if (error instanceof DeadlineExceededError) {
    ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "deadline" });
    return deadlinePath(ctx, purchase, `Dataverse could not answer before the guard: ${detail}`);
  }
  if (error instanceof DataverseError && !error.retryable) {
    return settleRefusal(ctx, purchase, {
      fields: { code: error.code, status: error.status, requestId: error.requestId },
      detail: `${error.status} ${error.code}: ${error.message}`,
      lastError: detail,
    });
  }
  return transientRetry(ctx, purchase, error, detail, throttled);
}

/** The call may have landed: keep the in-flight mark, probe on the next pass (soon, even past the guard). */
function ambiguousRetry(ctx: StepContext, purchase: PurchaseRecord, detail: string): StepResult {
  ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "ambiguous" });
  return {
    outcome: "ambiguous",
    fields: { error: detail },
    effects: {
      purchase: updatePurchase(purchase, { finalizeAmbiguous: true, lastError: detail }),
      next: { kind: "retry", at: ctx.clock.now() + backoffDelayMs(1, ctx.random), error: detail },
    },
  };
}

/**
 * A refusal may be Dataverse saying "already processed" (a repeat of a call that landed), so the
 * row is read before any refund. An unreadable row leaves the question open: probe again later.
 */
async function settleRefusal(
  ctx: StepContext,
  purchase: PurchaseRecord,
  refusal: Refusal,
): Promise<StepResult> {
  const probe = await probeRow(ctx, purchase.purchaseId);
  if (!("error" in probe)) {
    if (probe.processed === true) return finalized(ctx, purchase, "probe_after_refusal");
  } else if (!(probe.error instanceof DataverseError && !probe.error.retryable)) {
    return ambiguousRetry(
      ctx,
      purchase,
      `${refusal.detail}; the row could not be read: ${describeError(probe.error)}`,
    );
  }
  return rejected(ctx, purchase, refusal);
}

function rejected(ctx: StepContext, purchase: PurchaseRecord, refusal: Refusal): StepResult {
  ctx.metrics.increment("gateway_finalize_attempts_total", { outcome: "rejected" });
  ctx.metrics.increment("gateway_dead_letters_total", { kind: "finalize" });
  const { purchaseId } = purchase;
  return {
    outcome: "rejected",
    fields: refusal.fields,
    effects: {
      ...refundWinner(ctx, purchase, "finalize_rejected"),
      purchase: movePurchase(purchase, "refund_pending", "finalize_rejected", {
        finalizeInFlight: false,
        lastError: refusal.lastError,
      }),
      deadLetters: [{ purchaseId, kind: "finalize", reason: "finalize_rejected", detail: refusal.detail }],
      next: { kind: "done" },
    },
  };
}

/** Nothing landed (throttled, 503, not sent): try again before the guard, or take the deadline path. */
function transientRetry(
  ctx: StepContext,
  purchase: PurchaseRecord,
  error: unknown,
  detail: string,
  throttled: boolean,
): StepResult {
  ctx.metrics.increment("gateway_finalize_attempts_total", {
    outcome: throttled ? "throttled" : "transient",
  });
  const retryAfterMs = error instanceof DataverseError ? error.retryAfterMs : undefined;
  const at = nextTryBeforeGuard({
    now: ctx.clock.now(),
    guardAt: purchase.guardAt,
    attempt: purchase.finalizeAttempts,
    retryAfterMs,
    random: ctx.random,
  });
  if (at === null)
    return deadlinePath(ctx, purchase, `Retry-After (${retryAfterMs} ms) reaches past the guard`);
  const notLanded = { finalizeInFlight: false, lastError: detail };
  return {
    outcome: throttled ? "throttled" : "retry",
    fields: { error: detail, retryAt: new Date(at).toISOString() },
    effects: {
      purchase: updatePurchase(purchase, notLanded),
      next: { kind: "retry", at, error: detail },
    },
  };
}
