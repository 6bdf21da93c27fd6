// A payment job: something happened to a provider payment. The event was only a hint, so the
// payment is re-read from the provider that took it; the lifecycle decides (decidePayment) and
// this step commits the decision. An approved payment is captured first, when the purchase can
// still take it, and decided again on the captured state.

import { finalizeJob, typedJob } from "../lifecycle/jobs";
import { decidePayment } from "../lifecycle/decide-payment";
import type { PaymentFacts } from "../lifecycle/decide-payment";
import { movePurchase } from "../lifecycle/transitions";
import { adapterFor } from "../providers/registry";
import type { PaymentProviderAdapter, PaymentState } from "../providers/types";
import type { JobEffects } from "../store/types";
import { backoffDelayMs } from "./backoff";
import { describeError } from "./describe-error";
import type { StepContext, StepResult } from "./context";
import { recoverUnknownPurchase } from "./recover-unknown-purchase";

/** A provider outage is waited out for about a day (backoff up to 5 min) before a person is asked. */
const MAX_READ_ATTEMPTS = 300;
const READ_BACKOFF_CAP_MS = 5 * 60_000;

export async function handlePaymentJob(ctx: StepContext): Promise<StepResult> {
  const { payload } = typedJob(ctx.job, "payment");
  const ref: { providerSessionId?: string; providerPaymentId?: string } = {};
  if (payload.providerSessionId) ref.providerSessionId = payload.providerSessionId;
  if (payload.providerPaymentId) ref.providerPaymentId = payload.providerPaymentId;

  let adapter: PaymentProviderAdapter;
  let state: PaymentState;
  try {
    adapter = adapterFor(ctx.providers, payload.provider);
    state = await adapter.getPayment(ref);
  } catch (error) {
    return readFailed(ctx, payload.hintPurchaseId, error);
  }
  const sessionId = state.providerSessionId ?? payload.providerSessionId ?? null;
  if (state.signal !== "paid" && state.signal !== "approved")
    return notPaid(ctx, adapter.name, state, sessionId);
  const paymentId = state.providerPaymentId;
  if (!paymentId) {
    const detail = `session ${sessionId ?? "?"}`;
    return deadLetter(state.purchaseId, "paid_without_payment_id", detail);
  }
  const fields = { providerPaymentId: paymentId, providerSessionId: sessionId };
  const known = await ctx.store.getPayment(adapter.name, paymentId);
  if (known && known.state !== "reported") return alreadyDecided(ctx, known.purchaseId, known.state, fields);

  const purchase = state.purchaseId ? await ctx.store.getPurchase(state.purchaseId) : null;
  const checkouts = purchase && sessionId ? await ctx.store.listCheckouts(purchase.purchaseId) : [];
  let facts: PaymentFacts = {
    provider: adapter.name,
    state,
    sessionId,
    purchase,
    checkouts,
    now: ctx.clock.now(),
  };
  if (!purchase && !state.foreign) {
    const recovery = await recoverUnknownPurchase(ctx, facts);
    if (recovery.kind === "retry") return readFailed(ctx, state.purchaseId, recovery.error);
    if (recovery.kind !== "decide") return unknownSettledOrHeld(facts, recovery.kind, recovery.detail);
    facts = recovery.facts;
  }
  let decision = decidePayment(facts);
  if (decision.kind === "capture") {
    try {
      const captured = await capture(adapter, ref, paymentId);
      // A declined or still-pending capture took no money yet: nothing wins on it.
      if (captured.signal !== "paid" && captured.signal !== "approved")
        return notPaid(ctx, adapter.name, captured, sessionId);
      decision = decidePayment({ ...facts, state: captured, now: ctx.clock.now() });
    } catch (error) {
      return readFailed(ctx, state.purchaseId, error);
    }
    if (decision.kind === "capture") return deadLetter(state.purchaseId, "capture_incomplete", paymentId);
  }
  if (decision.deadlineMiss) ctx.metrics.increment("gateway_deadline_misses_total");
  const letters = decision.effects.deadLetters?.length ?? 0;
  if (letters > 0) ctx.metrics.increment("gateway_dead_letters_total", { kind: "payment" }, letters);
  return { outcome: decision.outcome, fields, effects: decision.effects };
}

/** Settled in Dataverse (recorded, nothing refunded) or held for a person (a dead letter). */
function unknownSettledOrHeld(facts: PaymentFacts, kind: "settled" | "held", detail: string): StepResult {
  const { state } = facts;
  const row = {
    provider: facts.provider,
    providerPaymentId: state.providerPaymentId!,
    purchaseId: state.purchaseId,
    providerSessionId: facts.sessionId,
    amountMinor: state.amount?.minor ?? null,
    currency: state.amount?.currency ?? null,
  };
  const effects: JobEffects = {
    payments: [{ ...row, state: kind === "settled" ? "settled" : "ignored" }],
    next: { kind: "done" },
  };
  if (kind === "held") {
    effects.deadLetters = [
      { purchaseId: state.purchaseId, kind: "payment", reason: "unknown_payment_held", detail },
    ];
  }
  return {
    outcome: kind === "settled" ? "settled_in_dataverse" : "held_unknown",
    effects,
    fields: { detail },
  };
}

async function capture(
  adapter: PaymentProviderAdapter,
  ref: { providerSessionId?: string; providerPaymentId?: string },
  paymentId: string,
): Promise<PaymentState> {
  if (!adapter.capture) throw new Error(`${adapter.name} reported an approved payment but cannot capture`);
  return adapter.capture(ref, { idempotencyKey: `capture:${paymentId}` });
}

/** The provider says it is not paid (any more): close the page in the book; nothing else moves. */
async function notPaid(
  ctx: StepContext,
  provider: string,
  state: PaymentState,
  sessionId: string | null,
): Promise<StepResult> {
  const effects: JobEffects = { next: { kind: "done" } };
  const over = state.signal === "expired" || state.signal === "failed";
  if (over && sessionId && state.purchaseId) {
    effects.checkouts = [{ purchaseId: state.purchaseId, providerSessionId: sessionId, state: "expired" }];
  }
  const reported =
    over && state.providerPaymentId ? await ctx.store.getPayment(provider, state.providerPaymentId) : null;
  if (reported?.state === "reported") {
    // Reported by its webhook, then declined or voided: the shopper no longer sees it as paid.
    effects.payments = [{ ...reported, state: "ignored" }];
  }
  const hinted = state.purchaseId ? await ctx.store.getPurchase(state.purchaseId) : null;
  if (hinted && hinted.state === "paid" && !hinted.winningPaymentId) {
    // Marked paid by an older release's webhook hint: open again.
    effects.purchase = movePurchase(hinted, "awaiting_payment", "payment_not_confirmed");
  }
  return { outcome: `not_paid:${state.signal}`, effects };
}

/** Already decided (winner, refunding …): a winner not yet finalized gets its finalize job again. */
async function alreadyDecided(
  ctx: StepContext,
  purchaseId: string | null,
  state: string,
  fields: Record<string, unknown>,
): Promise<StepResult> {
  const purchase = purchaseId ? await ctx.store.getPurchase(purchaseId) : null;
  const effects: JobEffects = { next: { kind: "done" } };
  if (purchase && state === "winner" && (purchase.state === "paid" || purchase.state === "finalizing")) {
    effects.jobs = [finalizeJob(purchase.purchaseId, ctx.clock.now())];
  }
  return { outcome: "already_decided", effects, fields };
}

function readFailed(ctx: StepContext, purchaseId: string | null, error: unknown): StepResult {
  if (ctx.job.attempts >= MAX_READ_ATTEMPTS) {
    return deadLetter(purchaseId, "payment_unreadable", describeError(error));
  }
  const at = ctx.clock.now() + backoffDelayMs(ctx.job.attempts, ctx.random, { capMs: READ_BACKOFF_CAP_MS });
  return { outcome: "retry", effects: { next: { kind: "retry", at, error: describeError(error) } } };
}

function deadLetter(purchaseId: string | null, reason: string, detail: string): StepResult {
  return {
    outcome: "dead_lettered",
    effects: { deadLetters: [{ purchaseId, kind: "payment", reason, detail }], next: { kind: "done" } },
  };
}
