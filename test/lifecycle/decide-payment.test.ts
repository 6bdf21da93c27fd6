// decidePayment without any I/O: each case of the payment job's decision from plain facts.

import { describe, expect, it } from "vitest";
import { decidePayment } from "../../confirmation-endpoint/lifecycle/decide-payment";
import type { PaymentFacts } from "../../confirmation-endpoint/lifecycle/decide-payment";
import type { PurchaseRecord } from "../../confirmation-endpoint/store/types";

const NOW = 1_800_000_000_000;
const purchase: PurchaseRecord = {
  purchaseId: "p-1",
  mode: "outbound",
  readableEventId: "E1",
  userId: "",
  eventName: "E",
  attendees: [],
  expectedMinor: 2500,
  currency: "EUR",
  t0: NOW,
  t0Source: "createdon",
  deadlineAt: NOW + 50 * 60_000,
  guardAt: NOW + 47 * 60_000,
  closeAt: NOW + 42 * 60_000,
  returnOrigin: "https://portal.test",
  confirmationPath: null,
  state: "awaiting_payment",
  winningPaymentId: null,
  winningProvider: null,
  finalizeAttempts: 0,
  finalizeInFlight: false,
  finalizeAmbiguous: false,
  lastError: null,
  createdAt: NOW,
  updatedAt: NOW,
  version: 1,
};

const facts = (
  over: Partial<PaymentFacts> = {},
  state: Partial<PaymentFacts["state"]> = {},
): PaymentFacts => ({
  provider: "stripe",
  state: {
    signal: "paid",
    amount: { minor: 2500, currency: "EUR" },
    purchaseId: "p-1",
    providerPaymentId: "pi_1",
    providerSessionId: "cs_1",
    ...state,
  },
  sessionId: "cs_1",
  purchase,
  checkouts: [
    {
      purchaseId: "p-1",
      attempt: 1,
      provider: "stripe",
      idempotencyKey: "k1",
      providerSessionId: "cs_1",
      redirectUrl: "https://pay",
      expiresAt: NOW + 60_000,
      state: "open",
      createdAt: NOW,
    },
  ],
  now: NOW + 60_000,
  ...over,
});

const commit = (f: PaymentFacts) => {
  const d = decidePayment(f);
  if (d.kind !== "commit") throw new Error(`expected a commit, got ${d.kind}`);
  return d;
};

describe("decidePayment", () => {
  it("a matching payment in time wins: paid, finalize next, the page complete", () => {
    const d = commit(facts());
    expect(d.outcome).toBe("winner");
    expect(d.effects.purchase).toEqual({
      purchaseId: "p-1",
      expectedVersion: 1,
      set: { state: "paid", winningPaymentId: "pi_1", winningProvider: "stripe" },
    });
    expect(d.effects.jobs?.map((j) => j.dedupe)).toEqual(["finalize:p-1"]);
    expect(d.effects.checkouts).toEqual([
      { purchaseId: "p-1", providerSessionId: "cs_1", state: "complete" },
    ]);
  });

  it("an approved payment that the purchase can take is captured first", () => {
    expect(decidePayment(facts({}, { signal: "approved" }))).toEqual({ kind: "capture" });
  });

  it("an approved payment the purchase cannot take is left uncaptured, nothing refunded", () => {
    const d = commit(facts({}, { signal: "approved", amount: { minor: 100, currency: "EUR" } }));
    expect(d.outcome).toBe("not_captured:amount_mismatch");
    expect(d.effects.refunds).toBeUndefined();
    expect(d.effects.payments?.[0]?.state).toBe("ignored");
  });

  it("no purchase → unknown_purchase refund with a dead letter", () => {
    const d = commit(facts({ purchase: null }));
    expect(d.outcome).toBe("refund_requested:unknown_purchase");
    expect(d.effects.refunds?.[0]?.refundKey).toBe("refund:pi_1:unknown_purchase");
    expect(d.effects.deadLetters?.length).toBe(1);
    expect(d.effects.purchase).toBeUndefined();
  });

  it("a page the kit did not open → refunded, the purchase stays open", () => {
    const d = commit(facts({ sessionId: "cs_foreign" }, { providerSessionId: "cs_foreign" }));
    expect(d.outcome).toBe("refund_requested:unknown_purchase");
    expect(d.effects.purchase).toBeUndefined();
  });

  it("a wrong amount → refunded and the purchase failed for a person to look at", () => {
    const d = commit(facts({}, { amount: { minor: 2499, currency: "EUR" } }));
    expect(d.outcome).toBe("refund_requested:amount_mismatch");
    expect(d.effects.purchase?.set).toMatchObject({ state: "failed", lastError: "amount_mismatch" });
  });

  it("a second payment → refunded as duplicate, the winner untouched", () => {
    const won = { ...purchase, state: "paid" as const, winningPaymentId: "pi_0" };
    const d = commit(facts({ purchase: won }));
    expect(d.outcome).toBe("refund_requested:duplicate_payment");
    expect(d.effects.purchase).toBeUndefined();
  });

  it("past the guard → it wins only to be refunded (refund_pending), and counts as a deadline miss", () => {
    const d = commit(facts({ now: purchase.guardAt }));
    expect(d.outcome).toBe("refund_requested:deadline_passed");
    expect(d.deadlineMiss).toBe(true);
    expect(d.effects.purchase?.set).toMatchObject({ state: "refund_pending", winningPaymentId: "pi_1" });
    expect(d.effects.jobs?.[0]?.payload).toMatchObject({ winner: true, provider: "stripe" });
  });
});
