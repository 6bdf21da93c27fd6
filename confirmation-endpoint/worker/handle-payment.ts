// A payment job: something happened to a provider payment. The event was only a hint, so the
// payment is re-read from the provider, then exactly one decision is recorded: this payment wins
// the purchase (finalize next), or it is refunded (unknown purchase, foreign session, wrong amount,
// second payment, too late), or nothing is to be done (not paid).

import { describeMoney, sameMoney } from "../providers/money";
import { backoffDelayMs } from "./backoff";
import { describeError } from "./describe-error";
import type { StepContext, StepResult } from "./context";
import { planRefund } from "./plan-refund";
import type { RefundReason } from "../providers/types";
import type { JobEffects, PurchaseRecord } from "../store/types";

/** A provider outage is waited out for about a day (backoff up to 5 min) before a person is asked. */
const MAX_READ_ATTEMPTS = 300;
const READ_BACKOFF_CAP_MS = 5 * 60_000;

export async function handlePaymentJob(ctx: StepContext): Promise<StepResult> {
  const { job, provider, store, clock } = ctx;
  const payload = job.payload as {
    providerSessionId?: string | null;
    providerPaymentId?: string | null;
    hintPurchaseId?: string | null;
  };
  const ref: { providerSessionId?: string; providerPaymentId?: string } = {};
  if (payload.providerSessionId) ref.providerSessionId = payload.providerSessionId;
  if (payload.providerPaymentId) ref.providerPaymentId = payload.providerPaymentId;

  let state;
  try {
    state = await provider.getPayment(ref);
  } catch (error) {
    const now = clock.now();
    if (job.attempts >= MAX_READ_ATTEMPTS) {
      return {
        outcome: "dead_lettered",
        effects: {
          deadLetters: [
            {
              purchaseId: payload.hintPurchaseId ?? null,
              kind: "payment",
              reason: "payment_unreadable",
              detail: describeError(error),
            },
          ],
          next: { kind: "done" },
        },
      };
    }
    const at = now + backoffDelayMs(job.attempts, ctx.random, { capMs: READ_BACKOFF_CAP_MS });
    return { outcome: "retry", effects: { next: { kind: "retry", at, error: describeError(error) } } };
  }
  const now = clock.now();
  const sessionId = state.providerSessionId ?? payload.providerSessionId ?? null;

  if (state.signal !== "paid") {
    const effects: JobEffects = { next: { kind: "done" } };
    if ((state.signal === "expired" || state.signal === "failed") && sessionId && state.purchaseId) {
      effects.checkouts = [{ purchaseId: state.purchaseId, providerSessionId: sessionId, state: "expired" }];
    }
    // The webhook's hint said paid but the provider does not (any more): the purchase is open again.
    const hinted = state.purchaseId ? await store.getPurchase(state.purchaseId) : null;
    if (hinted && hinted.state === "paid" && !hinted.winningPaymentId) {
      effects.purchase = {
        purchaseId: hinted.purchaseId,
        expectedVersion: hinted.version,
        set: { state: "awaiting_payment" },
      };
    }
    return { outcome: `not_paid:${state.signal}`, effects };
  }

  const paymentId = state.providerPaymentId;
  if (!paymentId) {
    return {
      outcome: "dead_lettered",
      effects: {
        deadLetters: [
          {
            purchaseId: state.purchaseId,
            kind: "payment",
            reason: "paid_without_payment_id",
            detail: `session ${sessionId ?? "?"}`,
          },
        ],
        next: { kind: "done" },
      },
    };
  }
  const known = await store.getPayment(provider.name, paymentId);
  if (known && known.state !== "reported") {
    // Already decided (winner, refunding …): a repeated or late event changes nothing, but make sure
    // a winner not yet finalized has its finalize job.
    const purchase = known.purchaseId ? await store.getPurchase(known.purchaseId) : null;
    const effects: JobEffects = { next: { kind: "done" } };
    if (
      purchase &&
      known.state === "winner" &&
      (purchase.state === "paid" || purchase.state === "finalizing")
    ) {
      effects.jobs = [finalizeJob(purchase.purchaseId, now)];
    }
    return { outcome: "already_decided", effects, fields: { providerPaymentId: paymentId } };
  }

  const paymentRow = {
    provider: provider.name,
    providerPaymentId: paymentId,
    purchaseId: state.purchaseId,
    providerSessionId: sessionId,
    amountMinor: state.amount?.minor ?? null,
    currency: state.amount?.currency ?? null,
  };
  const fields = { providerPaymentId: paymentId, providerSessionId: sessionId };
  const purchase = state.purchaseId ? await store.getPurchase(state.purchaseId) : null;

  const refund = (
    reason: RefundReason,
    winner: boolean,
    purchaseRecord: PurchaseRecord | null,
    deadLetter: boolean,
  ): StepResult => {
    if (!state.amount) {
      return {
        outcome: "dead_lettered",
        fields,
        effects: {
          payments: [{ ...paymentRow, state: "refund_failed" }],
          deadLetters: [
            {
              purchaseId: state.purchaseId,
              kind: "payment",
              reason,
              detail: `payment ${paymentId} has no readable amount; refund it by hand`,
            },
          ],
          next: { kind: "done" },
        },
      };
    }
    const plan = planRefund(
      {
        purchaseId: state.purchaseId,
        provider: provider.name,
        providerPaymentId: paymentId,
        amountMinor: state.amount.minor,
        currency: state.amount.currency,
        reason,
        winner,
      },
      now,
    );
    const effects: JobEffects = {
      ...plan,
      payments: [{ ...paymentRow, state: "refunding" }],
      next: { kind: "done" },
    };
    if (deadLetter) {
      effects.deadLetters = [
        {
          purchaseId: state.purchaseId,
          kind: "payment",
          reason,
          detail: `payment ${paymentId}: ${describeMoney(state.amount)} vs expected ${purchaseRecord ? describeMoney({ minor: purchaseRecord.expectedMinor, currency: purchaseRecord.currency }) : "no purchase"}`,
        },
      ];
    }
    if (purchaseRecord && winner) {
      effects.purchase = {
        purchaseId: purchaseRecord.purchaseId,
        expectedVersion: purchaseRecord.version,
        set: { state: "refund_pending", winningPaymentId: paymentId, finalizeInFlight: false },
      };
    } else if (purchaseRecord && !purchaseRecord.winningPaymentId && purchaseRecord.state === "paid") {
      // The webhook's hint had marked the purchase paid. A wrong amount closes it (a person looks at
      // the dead letter); a payment from a page the kit did not open leaves it open for a real one.
      const state = reason === "amount_mismatch" ? "failed" : "awaiting_payment";
      effects.purchase = {
        purchaseId: purchaseRecord.purchaseId,
        expectedVersion: purchaseRecord.version,
        set: { state, lastError: reason },
      };
    }
    ctx.metrics.increment("gateway_dead_letters_total", { kind: "payment" }, deadLetter ? 1 : 0);
    return { outcome: `refund_requested:${reason}`, effects, fields };
  };

  if (!purchase) return refund("unknown_purchase", false, null, true);

  if (sessionId) {
    const checkouts = await store.listCheckouts(purchase.purchaseId);
    const ours = checkouts.some((c) => c.providerSessionId === sessionId || c.state === "creating");
    if (!ours) return refund("unknown_purchase", false, purchase, true);
  }
  if (
    !state.amount ||
    !sameMoney(state.amount, { minor: purchase.expectedMinor, currency: purchase.currency })
  ) {
    return refund("amount_mismatch", false, purchase, true);
  }
  if (purchase.winningPaymentId && purchase.winningPaymentId !== paymentId) {
    return refund("duplicate_payment", false, purchase, false);
  }
  const closed =
    purchase.state === "expired" ||
    purchase.state === "failed" ||
    purchase.state === "refunded" ||
    purchase.state === "refund_pending";
  if (now >= purchase.guardAt || closed) {
    ctx.metrics.increment("gateway_deadline_misses_total");
    return refund("deadline_passed", !purchase.winningPaymentId, purchase, false);
  }
  return {
    outcome: "winner",
    fields,
    effects: {
      purchase: {
        purchaseId: purchase.purchaseId,
        expectedVersion: purchase.version,
        set: { state: "paid", winningPaymentId: paymentId },
      },
      payments: [{ ...paymentRow, state: "winner" }],
      ...(sessionId
        ? {
            checkouts: [
              { purchaseId: purchase.purchaseId, providerSessionId: sessionId, state: "complete" as const },
            ],
          }
        : {}),
      jobs: [finalizeJob(purchase.purchaseId, now)],
      next: { kind: "done" },
    },
  };
}

function finalizeJob(purchaseId: string, now: number) {
  return {
    dedupe: `finalize:${purchaseId}`,
    purchaseId,
    kind: "finalize" as const,
    payload: { purchaseId },
    notBefore: now,
  };
}
