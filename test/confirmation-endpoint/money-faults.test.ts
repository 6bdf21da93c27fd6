import { describe, expect, it } from "vitest";
import { MINUTE } from "./fakes";
import { CONTACT, OTHER_PURCHASE, PURCHASE, T0, payAndNotify, useHarness } from "./harness";
import type { Harness } from "./harness";

let h: Harness;
useHarness((created) => (h = created));

describe("money that must go back", () => {
  it.each([
    ["24.99 instead of 25.00", { minor: 2499, currency: "EUR" }],
    ["USD instead of EUR", { minor: 2500, currency: "USD" }],
    ["2500.00 instead of 25.00", { minor: 250000, currency: "EUR" }],
  ])("amount mismatch (%s) → refund amount_mismatch, dead letter, no finalize", async (_name, paid) => {
    const sessionId = await h.openSession();
    const paymentId = h.provider.pay(sessionId, paid);
    // The event echoes the right amount: only the re-read counts.
    await h.app(h.webhookRequest(h.completedEvent(sessionId, { amount: { minor: 2500, currency: "EUR" } })));
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(0);
    expect([...h.provider.refunds.entries()]).toEqual([
      [
        `refund:${paymentId}:amount_mismatch`,
        expect.objectContaining({ paymentId, amount: paid, reason: "amount_mismatch" }),
      ],
    ]);
    expect((await h.store.listDeadLetters()).map((d) => d.reason)).toEqual(["amount_mismatch"]);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("failed");
    expect(await h.statusOf(PURCHASE)).toMatchObject({ status: "failed", reason: "amount_mismatch" });
  });

  it("payment for an unknown purchase → refund unknown_purchase and dead letter", async () => {
    const foreign = h.provider.addForeignPaidSession(OTHER_PURCHASE, { minor: 1000, currency: "EUR" });
    await h.app(h.webhookRequest(h.completedEvent(foreign.id)));
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(0);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${foreign.paymentId}:unknown_purchase`]);
    expect((await h.store.listDeadLetters()).map((d) => d.reason)).toEqual(["unknown_purchase"]);
  });

  it("payment without any purchase reference → refund unknown_purchase", async () => {
    const foreign = h.provider.addForeignPaidSession(null, { minor: 1000, currency: "EUR" });
    await h.app(h.webhookRequest(h.completedEvent(foreign.id)));
    await h.settle();
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${foreign.paymentId}:unknown_purchase`]);
  });

  it("a session we never created, carrying a known purchase id → refunded, never finalized", async () => {
    await h.openSession();
    const foreign = h.provider.addForeignPaidSession(PURCHASE, { minor: 2500, currency: "EUR" });
    await h.app(h.webhookRequest(h.completedEvent(foreign.id)));
    // A signed event is only a hint: the purchase it names does not move until the worker decides.
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("awaiting_payment");
    await h.settle(h.worker, h.clock.now() + MINUTE);
    expect(h.dataverse.finalizeCount()).toBe(0);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${foreign.paymentId}:unknown_purchase`]);
    // The purchase stays open for a payment on its own page.
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("awaiting_payment");
    expect((await h.checkout()).res.status).toBe(200);
  });

  it("two tabs both pay → one finalize, the second payment refunded as duplicate_payment", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const first = await h.openSession();
    // The first page expires unpaid in the provider's book; a second page is opened and both get paid.
    h.clock.advance(31 * MINUTE);
    h.dataverse.addPurchase({
      purchaseId: PURCHASE,
      createdOn: new Date(T0 + 20 * MINUTE).toISOString(),
      contactId: CONTACT,
    });
    const second = await h.openSession();
    expect(second).not.toBe(first);
    const p1 = h.provider.pay(first);
    const p2 = h.provider.pay(second);
    await h.app(h.webhookRequest(h.completedEvent(first)));
    await h.app(h.webhookRequest(h.completedEvent(second)));
    await h.settle(h.worker, h.clock.now() + MINUTE);
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${p2}:duplicate_payment`]);
    const purchase = (await h.store.getPurchase(PURCHASE))!;
    expect(purchase.state).toBe("finalized");
    expect(purchase.winningPaymentId).toBe(p1);
  });

  it("a refund the provider reports failed → dead letter with the ids", async () => {
    const sessionId = await h.openSession();
    const paymentId = h.provider.pay(sessionId, { minor: 1, currency: "EUR" });
    h.provider.refundScript.push("failed");
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    await h.settle();
    const letters = await h.store.listDeadLetters();
    expect(letters.map((d) => [d.kind, d.reason])).toEqual([
      ["payment", "amount_mismatch"],
      ["refund", "refund_failed"],
    ]);
    expect(letters[1]!.detail).toContain(paymentId);
    expect((await h.store.listRefunds())[0]!.state).toBe("failed");
    expect(
      await h.metrics.value("gateway_refunds_total", { reason: "amount_mismatch", status: "failed" }),
    ).toBe(1);
  });

  it("a refund call that errors is retried with the same key, then succeeds once", async () => {
    const sessionId = await h.openSession();
    const paymentId = h.provider.pay(sessionId, { minor: 1, currency: "EUR" });
    h.provider.refundScript.push(Object.assign(new Error("500 from provider"), { retryable: true }), "ok");
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    await h.settle();
    const keys = h.provider.calls.filter((c) => c.op === "refund").map((c) => c.key);
    expect(keys).toEqual([`refund:${paymentId}:amount_mismatch`, `refund:${paymentId}:amount_mismatch`]);
    expect(h.provider.refundCount()).toBe(1);
    expect((await h.store.listRefunds())[0]!.state).toBe("succeeded");
  });

  it("a refund that keeps erroring ends in the dead-letter table, bounded", async () => {
    const sessionId = await h.openSession();
    h.provider.pay(sessionId, { minor: 1, currency: "EUR" });
    for (let i = 0; i < 20; i++)
      h.provider.refundScript.push(Object.assign(new Error("provider down"), { retryable: true }));
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    await h.settle(h.worker, h.clock.now() + 24 * 60 * MINUTE);
    expect(h.provider.calls.filter((c) => c.op === "refund")).toHaveLength(12);
    expect((await h.store.listDeadLetters()).map((d) => d.reason)).toContain("refund_failed");
  });

  it("a business rejection from Dataverse → refund finalize_rejected, dead letter with the code, no retry", async () => {
    h.dataverse.finalizeScript.push({ kind: "reject", reason: "the event is full", code: "0x80040265" });
    const { paymentId } = await payAndNotify(h);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paymentId}:finalize_rejected`]);
    const letter = (await h.store.listDeadLetters())[0]!;
    expect(letter).toMatchObject({ kind: "finalize", reason: "finalize_rejected" });
    expect(letter.detail).toContain("0x80040265");
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("refunded");
    expect(await h.statusOf(PURCHASE)).toEqual({
      status: "refunded",
      readableEventId: expect.any(String),
      reason: "finalize_rejected",
    });
  });
});
