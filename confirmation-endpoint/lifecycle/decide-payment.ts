// The payment decision: given what the provider says of one payment (re-read, never the webhook's
// word) and what the store knows of its purchase, exactly one outcome: this payment wins the
// purchase (finalize next), it is captured first (approved, not yet captured), it is refunded
// (unknown purchase, foreign page, wrong amount, second payment, too late), or nothing is to be
// done. Pure: the worker reads, calls this, and commits what it returns.

import { describeMoney, sameMoney } from "../providers/money";
import type { PaymentState, RefundReason } from "../providers/types";
import type { CheckoutRecord, JobEffects, PaymentRecord, PurchaseRecord } from "../store/types";
import { finalizeJob } from "./jobs";
import { planRefund } from "./plan-refund";
import { movePurchase } from "./transitions";

export interface PaymentFacts {
  provider: string;
  /** The provider's current word on the payment (signal "paid" or "approved"). */
  state: PaymentState;
  sessionId: string | null;
  /** The purchase the provider's object names (never the event's hint), if the store has it. */
  purchase: PurchaseRecord | null;
  /** That purchase's checkouts: a session the kit did not open is not the purchase's payment. */
  checkouts: CheckoutRecord[];
  now: number;
}

export type PaymentDecision =
  | { kind: "commit"; outcome: string; effects: JobEffects; deadlineMiss?: boolean }
  /** Approved and acceptable: capture it, then decide again on the captured state. */
  | { kind: "capture" };

const CLOSED = new Set(["expired", "failed", "refunded", "refund_pending"]);

export function decidePayment(f: PaymentFacts): PaymentDecision {
  const { purchase, state, sessionId } = f;
  // Another deployment's (or integration's) payment on a shared account: not ours to keep or refund.
  if (state.foreign)
    return { kind: "commit", outcome: "ignored:foreign", effects: { next: { kind: "done" } } };
  if (!purchase) return refuse(f, "unknown_purchase", false, true);
  if (sessionId && !f.checkouts.some((c) => c.providerSessionId === sessionId || c.state === "creating")) {
    return refuse(f, "unknown_purchase", false, true);
  }
  if (
    !state.amount ||
    !sameMoney(state.amount, { minor: purchase.expectedMinor, currency: purchase.currency })
  ) {
    return refuse(f, "amount_mismatch", false, true);
  }
  const paymentId = state.providerPaymentId!;
  if (purchase.winningPaymentId && purchase.winningPaymentId !== paymentId) {
    return refuse(f, "duplicate_payment", false, false);
  }
  if (f.now >= purchase.guardAt || CLOSED.has(purchase.state)) {
    const decision = refuse(f, "deadline_passed", !purchase.winningPaymentId, false);
    return decision.kind === "commit" ? { ...decision, deadlineMiss: true } : decision;
  }
  if (state.signal === "approved") return { kind: "capture" };
  return {
    kind: "commit",
    outcome: "winner",
    effects: {
      purchase: movePurchase(purchase, "paid", "payment_won", {
        winningPaymentId: paymentId,
        winningProvider: f.provider,
      }),
      payments: [{ ...paymentRow(f), state: "winner" }],
      ...(sessionId
        ? {
            checkouts: [
              { purchaseId: purchase.purchaseId, providerSessionId: sessionId, state: "complete" as const },
            ],
          }
        : {}),
      jobs: [finalizeJob(purchase.purchaseId, f.now)],
      next: { kind: "done" },
    },
  };
}

/** A payment the purchase will not take. Captured money goes back; an approval is left to lapse. */
function refuse(
  f: PaymentFacts,
  reason: RefundReason,
  winner: boolean,
  deadLetter: boolean,
): PaymentDecision {
  const { state, purchase } = f;
  const paymentId = state.providerPaymentId!;
  if (state.signal === "approved") {
    // Nothing was taken: not capturing is the refund. The provider voids the approval on its own.
    return {
      kind: "commit",
      outcome: `not_captured:${reason}`,
      effects: { payments: [{ ...paymentRow(f), state: "ignored" }], next: { kind: "done" } },
    };
  }
  if (!state.amount) {
    return {
      kind: "commit",
      outcome: "dead_lettered",
      effects: {
        payments: [{ ...paymentRow(f), state: "refund_failed" }],
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
  const effects: JobEffects = {
    ...planRefund(
      {
        purchaseId: state.purchaseId,
        provider: f.provider,
        providerPaymentId: paymentId,
        amountMinor: state.amount.minor,
        currency: state.amount.currency,
        reason,
        winner,
      },
      f.now,
    ),
    payments: [{ ...paymentRow(f), state: "refunding" }],
    next: { kind: "done" },
  };
  if (deadLetter) {
    const expected = purchase
      ? describeMoney({ minor: purchase.expectedMinor, currency: purchase.currency })
      : "no purchase";
    effects.deadLetters = [
      {
        purchaseId: state.purchaseId,
        kind: "payment",
        reason,
        detail: `payment ${paymentId}: ${describeMoney(state.amount)} vs expected ${expected}`,
      },
    ];
  }
  if (purchase && winner) {
    effects.purchase = movePurchase(purchase, "refund_pending", "late_payment", {
      winningPaymentId: paymentId,
      winningProvider: f.provider,
      finalizeInFlight: false,
    });
  } else if (
    purchase &&
    !purchase.winningPaymentId &&
    reason === "amount_mismatch" &&
    !CLOSED.has(purchase.state)
  ) {
    // A wrong amount closes the purchase; a person looks at the dead letter.
    effects.purchase = movePurchase(purchase, "failed", "amount_mismatch", { lastError: reason });
  } else if (purchase && !purchase.winningPaymentId && purchase.state === "paid") {
    // A purchase marked paid by an older release's webhook hint is open again for a real payment.
    effects.purchase = movePurchase(purchase, "awaiting_payment", "payment_not_confirmed", {
      lastError: reason,
    });
  }
  return { kind: "commit", outcome: `refund_requested:${reason}`, effects };
}

function paymentRow(f: PaymentFacts): Omit<PaymentRecord, "state"> {
  return {
    provider: f.provider,
    providerPaymentId: f.state.providerPaymentId!,
    purchaseId: f.state.purchaseId,
    providerSessionId: f.sessionId,
    amountMinor: f.state.amount?.minor ?? null,
    currency: f.state.amount?.currency ?? null,
  };
}
