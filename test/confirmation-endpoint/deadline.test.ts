import { describe, expect, it } from "vitest";
import { DataverseError } from "../../confirmation-endpoint/dataverse/errors";
import { FINALIZE_STATUS_UNEXPECTED } from "../../confirmation-endpoint/dataverse/operations/finalize-registration";
import { ambiguousTimeout, deadlineExceeded, MINUTE, throttled, transient } from "./fakes";
import { PURCHASE, T0, payAndNotify, useHarness } from "./harness";
import type { Harness } from "./harness";

let h: Harness;
useHarness((created) => (h = created));

const GUARD = T0 + 47 * MINUTE;
const DEADLINE = T0 + 50 * MINUTE;

async function refundRequestedAt(): Promise<number | null> {
  const r = (await h.store.listRefunds())[0];
  return r ? r.createdAt : null;
}

describe("deadline-aware finalize", () => {
  it("503 then success → one finalize, the retry waits and stays before the guard", async () => {
    h.dataverse.finalizeScript.push({ kind: "throw", error: transient() }, { kind: "ok" });
    await payAndNotify(h);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(2);
    expect(h.dataverse.registrations.get(PURCHASE)).toBe(1);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
    expect(h.provider.refundCount()).toBe(0);
  });

  it("429 with Retry-After: waits follow the header, one effective finalize, throttles counted", async () => {
    h.dataverse.finalizeScript.push(
      { kind: "throw", error: throttled(2000) },
      { kind: "throw", error: throttled(2000) },
      { kind: "ok" },
    );
    await payAndNotify(h);
    const start = h.clock.now();
    await h.settle();
    const finalizeTimes = h.logger.entries.filter((e) => e.msg === "job" && e.kind === "finalize").length;
    expect(finalizeTimes).toBe(3);
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(4000);
    expect(h.dataverse.registrations.get(PURCHASE)).toBe(1);
    expect(await h.metrics.value("gateway_dataverse_throttles_total")).toBe(2);
  });

  it("a duplicate webhook during a Retry-After wait does not make the worker call early", async () => {
    let secondCallAt: number | null = null;
    h.dataverse.finalizeScript.push(
      { kind: "throw", error: throttled(60_000) },
      { kind: "hook", run: () => (secondCallAt = h.clock.now()), then: { kind: "ok" } },
    );
    const { sessionId } = await payAndNotify(h);
    await h.worker.drain();
    expect(h.dataverse.finalizeCount()).toBe(1);
    const throttledAt = h.clock.now();
    h.clock.advance(1000);
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    await h.worker.drain();
    expect(h.dataverse.finalizeCount()).toBe(1);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(2);
    expect(secondCallAt).toBeGreaterThanOrEqual(throttledAt + 60_000);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
  });

  it("Retry-After beyond the deadline (client gives up: DeadlineExceededError) → refund before the deadline, no sleep", async () => {
    h.dataverse.finalizeScript.push({ kind: "throw", error: deadlineExceeded(GUARD) });
    const { paymentId } = await payAndNotify(h, PURCHASE, { payAt: T0 + 38 * MINUTE });
    const paidAt = h.clock.now();
    await h.worker.drain();
    expect(h.clock.now()).toBe(paidAt);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paymentId}:deadline_passed`]);
    expect(await refundRequestedAt()).toBeLessThan(DEADLINE);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("refunded");
    expect(await h.metrics.value("gateway_deadline_misses_total")).toBe(1);
  });

  it("a Retry-After the client hands back that reaches past the guard → deadline path at once", async () => {
    h.dataverse.finalizeScript.push({ kind: "throw", error: throttled(30 * MINUTE) });
    const { paymentId } = await payAndNotify(h, PURCHASE, { payAt: T0 + 40 * MINUTE });
    await h.worker.drain();
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paymentId}:deadline_passed`]);
    expect(h.dataverse.finalizeCount()).toBe(1);
  });

  it("paid at T0+41 with Dataverse down → retries stop at the guard, refund requested by T0+50", async () => {
    for (let i = 0; i < 200; i++) h.dataverse.finalizeScript.push({ kind: "throw", error: transient() });
    const { paymentId } = await payAndNotify(h, PURCHASE, { payAt: T0 + 41 * MINUTE });
    await h.settle(h.worker, DEADLINE + 10 * MINUTE);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paymentId}:deadline_passed`]);
    const requested = (await refundRequestedAt())!;
    expect(requested).toBeGreaterThanOrEqual(GUARD);
    expect(requested).toBeLessThan(DEADLINE);
    const lastFinalize = h.dataverse.calls.filter((c) => c.op === "finalize").length;
    expect(lastFinalize).toBeGreaterThan(1);
    h.dataverse.finalizeScript.length = 0;
  });

  it("paid after the guard (late payment) → immediate refund, zero finalize calls", async () => {
    const sessionId = await h.openSession();
    h.clock.set(T0 + 55 * MINUTE);
    const paymentId = h.provider.pay(sessionId);
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    await h.worker.drain();
    expect(h.dataverse.finalizeCount()).toBe(0);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paymentId}:deadline_passed`]);
  });

  it("the guard expires an unpaid purchase and closes its open page", async () => {
    await h.checkout();
    await h.settle(h.worker, DEADLINE);
    expect(h.provider.calls.filter((c) => c.op === "expireCheckout").map((c) => c.key)).toEqual([
      "expire:cs_test_1",
    ]);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("expired");
    const again = await h.checkout();
    expect(again.res.status).toBe(410);
  });

  it("a page paid while it is being closed → 'already complete' → normal paid path", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const sessionId = await h.openSession();
    h.provider.pay(sessionId); // the webhook has not arrived yet
    h.clock.set(T0 + 42 * MINUTE);
    await h.settle(h.worker, T0 + 43 * MINUTE);
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
  });
});

describe("provider outage across the guard", () => {
  it("a payment reported before the guard but confirmable only after it → purchase expired at the guard, payment refunded, never finalized", async () => {
    const sessionId = await h.openSession();
    h.clock.set(T0 + 40 * MINUTE);
    const paymentId = h.provider.pay(sessionId);
    h.provider.getPaymentError = Object.assign(new Error("provider unreachable"), { retryable: true });
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("awaiting_payment");
    await h.settle(h.worker, GUARD + MINUTE);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("expired");
    h.provider.getPaymentError = null;
    await h.settle(h.worker, GUARD + 60 * MINUTE);
    expect(h.dataverse.finalizeCount()).toBe(0);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paymentId}:deadline_passed`]);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("refunded");
  });
});

describe("ambiguous finalize: probe before resend, never two registrations", () => {
  it("timeout after send, registration exists → probe says processed → finalized without a resend", async () => {
    h.dataverse.finalizeScript.push({ kind: "apply_then_throw", error: ambiguousTimeout() });
    await payAndNotify(h);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(h.dataverse.calls.filter((c) => c.op === "read").length).toBeGreaterThanOrEqual(2);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
    expect(h.provider.refundCount()).toBe(0);
  });

  it("timeout after send, nothing registered → probe says no → resend once", async () => {
    h.dataverse.finalizeScript.push({ kind: "throw", error: ambiguousTimeout() }, { kind: "ok" });
    await payAndNotify(h);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(2);
    expect(h.dataverse.registrations.get(PURCHASE)).toBe(1);
  });

  it("ambiguous at the guard with the probe failing → no refund until the probe answers", async () => {
    h.dataverse.finalizeScript.push({ kind: "apply_then_throw", error: ambiguousTimeout() });
    await payAndNotify(h, PURCHASE, { payAt: T0 + 44 * MINUTE });
    h.dataverse.probeError = new DataverseError({
      status: 503,
      code: "0x0",
      message: "down",
      retryable: true,
    });
    await h.settle(h.worker, DEADLINE + 5 * MINUTE);
    expect(h.provider.refundCount()).toBe(0);
    h.dataverse.probeError = null;
    await h.settle(h.worker, DEADLINE + 60 * MINUTE);
    expect(h.provider.refundCount()).toBe(0);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
  });
});

/** What the API throws when finalize answers 2xx with a status outside the success set. */
const unexpectedStatus = () =>
  new DataverseError({
    status: 200,
    code: FINALIZE_STATUS_UNEXPECTED,
    message:
      'msevtmgt_FinalizeExternalRegistrationRequest answered status "Failure" (expected one of success)',
    retryable: true,
    ambiguous: true,
  });

const reads = () => h.dataverse.calls.filter((c) => c.op === "read").length;

describe("unclear finalize answers are settled by the worker, durably", () => {
  it("an unexpected status, then the probe finds the registration → finalized, no resend, no refund", async () => {
    h.dataverse.finalizeScript.push({ kind: "apply_then_throw", error: unexpectedStatus() });
    await payAndNotify(h);
    const readsBefore = reads();
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(reads() - readsBefore).toBe(1);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
    expect(h.provider.refundCount()).toBe(0);
  });

  it("an unexpected status twice, the probe saying 'not processed' each time → resent once, then refunded", async () => {
    h.dataverse.finalizeScript.push(
      { kind: "throw", error: unexpectedStatus() },
      { kind: "throw", error: unexpectedStatus() },
    );
    const { paymentId } = await payAndNotify(h);
    const readsBefore = reads();
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(2);
    // One probe before the resend, one before the refund.
    expect(reads() - readsBefore).toBe(2);
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paymentId}:finalize_rejected`]);
    const letter = (await h.store.listDeadLetters())[0]!;
    expect(letter).toMatchObject({ kind: "finalize", reason: "finalize_rejected" });
    expect(letter.detail).toContain(FINALIZE_STATUS_UNEXPECTED);
  });

  it("a refusal while the row already says processed → finalized, no refund", async () => {
    h.dataverse.finalizeScript.push({
      kind: "hook",
      run: () => h.dataverse.registrations.set(PURCHASE, 1),
      then: { kind: "reject", reason: "Purchase already processed.", code: "0x80040265" },
    });
    await payAndNotify(h);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
    expect(h.provider.refundCount()).toBe(0);
    expect(await h.store.listDeadLetters()).toEqual([]);
  });

  it("a refusal with the row unreadable → no refund until the row answers", async () => {
    h.dataverse.finalizeScript.push(
      { kind: "reject", reason: "the event is full", code: "0x80040265" },
      { kind: "reject", reason: "the event is full", code: "0x80040265" },
    );
    h.dataverse.probeError = new DataverseError({
      status: 503,
      code: "0x0",
      message: "down",
      retryable: true,
    });
    const { paymentId } = await payAndNotify(h);
    await h.worker.drain();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(h.provider.refundCount()).toBe(0);
    expect((await h.store.getPurchase(PURCHASE))!.finalizeAmbiguous).toBe(true);
    h.dataverse.probeError = null;
    await h.settle();
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paymentId}:finalize_rejected`]);
  });

  it("an ambiguous answer seen by one instance is probed by another before it resends", async () => {
    h.dataverse.finalizeScript.push({ kind: "apply_then_throw", error: ambiguousTimeout() });
    await payAndNotify(h);
    await h.worker.drain();
    expect(await h.store.getPurchase(PURCHASE)).toMatchObject({
      state: "finalizing",
      finalizeAmbiguous: true,
    });
    // A second instance on its own connection: only the store tells it what happened.
    const store = h.openStore();
    await h.settle(h.newWorker(store, "second-instance"), h.clock.now() + 10 * MINUTE, store);
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(h.dataverse.registrations.get(PURCHASE)).toBe(1);
    expect((await store.getPurchase(PURCHASE))!.state).toBe("finalized");
  });
});
