// Long poll on GET /v1/purchases/{id}/status?wait=N&seen=<status>: a held request answers as soon
// as the purchase's visible status changes (woken by the store's writes, or found by a re-read when
// another instance made the change), at its time-out otherwise, and never past the cap of held
// requests. Time here is real (the wait is a real timer), kept to fractions of a second.
import { afterEach, describe, expect, it } from "vitest";
import { createPurchaseSignal, createStatusWaiter } from "../../confirmation-endpoint/routes/status-wait";
import type { PurchaseStatus } from "../../confirmation-endpoint/contract/v1";
import { createHarness, PURCHASE, CONTACT, T0 } from "./harness";
import type { Harness } from "./harness";

const statusUrl = (query: string) => `http://endpoint.test/v1/purchases/${PURCHASE}/status${query}`;

describe("createStatusWaiter", () => {
  it("answers when the signal says the purchase changed and the re-read shows it", async () => {
    const signal = createPurchaseSignal();
    const waiter = createStatusWaiter({ signal, recheckMs: 60_000 });
    let status: PurchaseStatus = "paid";
    let reads = 0;
    const started = Date.now();
    const held = waiter.hold(PURCHASE, "paid", 5, async () => (reads++, { status }));
    expect(waiter.held()).toBe(1);
    setTimeout(() => {
      status = "finalized";
      signal.notify(PURCHASE);
    }, 50);
    await expect(held).resolves.toEqual({ status: "finalized" });
    expect(Date.now() - started).toBeLessThan(2000);
    // One read on taking the request (a change may have come before it listened), one on the signal.
    expect(reads).toBe(2);
    expect(waiter.held()).toBe(0);
  });

  it("a change committed between the caller's read and the hold is answered at once, not at the re-read", async () => {
    const signal = createPurchaseSignal();
    const waiter = createStatusWaiter({ signal, recheckMs: 60_000 });
    // The caller read "paid"; finalize committed and signalled before the request was held.
    const status: PurchaseStatus = "finalized";
    signal.notify(PURCHASE);
    const started = Date.now();
    await expect(waiter.hold(PURCHASE, "paid", 5, async () => ({ status }))).resolves.toEqual({
      status: "finalized",
    });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("a signal for another purchase does not end the wait; the time-out does, with the last read", async () => {
    const signal = createPurchaseSignal();
    const waiter = createStatusWaiter({ signal, recheckMs: 60_000 });
    const started = Date.now();
    const held = waiter.hold(PURCHASE, "paid", 0.3, async () => ({ status: "paid" as PurchaseStatus }));
    signal.notify("7c9e6679-7425-40de-944b-e07fc1f90ae7");
    await expect(held).resolves.toEqual({ status: "paid" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("without a signal, the periodic re-read finds a change made elsewhere", async () => {
    const waiter = createStatusWaiter({ recheckMs: 20 });
    let status: PurchaseStatus = "finalizing";
    setTimeout(() => (status = "finalized"), 60);
    await expect(waiter.hold(PURCHASE, "finalizing", 5, async () => ({ status }))).resolves.toEqual({
      status: "finalized",
    });
  });

  it("past the cap, nothing is held (the caller answers at once)", async () => {
    const waiter = createStatusWaiter({ maxHeld: 1, recheckMs: 10 });
    const first = waiter.hold(PURCHASE, "paid", 0.1, async () => ({ status: "paid" as PurchaseStatus }));
    expect(first).not.toBeNull();
    expect(waiter.hold(PURCHASE, "paid", 0.1, async () => ({ status: "paid" as PurchaseStatus }))).toBeNull();
    await first;
    expect(waiter.held()).toBe(0);
    const again = waiter.hold(PURCHASE, "paid", 0.05, async () => ({ status: "paid" as PurchaseStatus }));
    expect(again).not.toBeNull();
    await again;
  });

  it("a client that goes away lets its request go at once", async () => {
    const waiter = createStatusWaiter({ recheckMs: 60_000 });
    const controller = new AbortController();
    const started = Date.now();
    const held = waiter.hold(
      PURCHASE,
      "paid",
      20,
      async () => ({ status: "paid" as PurchaseStatus }),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 30);
    await held;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(waiter.held()).toBe(0);
  });
});

describe("the status route, long poll", () => {
  let h: Harness;
  afterEach(async () => h.close());

  function setUp(statusWait?: { maxHeld?: number; recheckMs?: number }): Harness {
    h = createHarness(statusWait ? { app: { statusWait } } : {});
    h.dataverse.addPurchase({
      purchaseId: PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    return h;
  }

  it("a held request answers as soon as the webhook reports the payment, and again when the worker finalizes", async () => {
    setUp({ recheckMs: 60_000 });
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const sessionId = await h.openSession();
    const started = Date.now();
    const held = h.app(new Request(statusUrl("?wait=10&seen=awaiting_payment")));
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.provider.pay(sessionId);
    expect((await h.app(h.webhookRequest(h.completedEvent(sessionId)))).status).toBe(200);
    const answer = (await (await held).json()) as { status: string; longPollSeconds?: number };
    expect(answer.status).toBe("paid");
    // And it tells the page its next request may be held too.
    expect(answer.longPollSeconds).toBe(25);
    expect(Date.now() - started).toBeLessThan(5000);

    const finalized = h.app(new Request(statusUrl("?wait=10&seen=paid")));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.settle();
    // Woken by the worker's first step that moves the purchase on (finalizing, or already finalized).
    const moved = (await (await finalized).json()) as { status: string };
    expect(["finalizing", "finalized"]).toContain(moved.status);
    expect(await h.statusOf()).toMatchObject({ status: "finalized" });
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it("with no change, answers the same status at the time-out", async () => {
    setUp({ recheckMs: 50 });
    await h.openSession();
    const started = Date.now();
    const res = await h.app(new Request(statusUrl("?wait=0.4&seen=awaiting_payment")));
    expect(await res.json()).toMatchObject({ status: "awaiting_payment" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it.each([
    ["a status other than the one seen", "?wait=10&seen=paid"],
    ["no seen status", "?wait=10"],
    ["a seen status the contract does not know", "?wait=10&seen=done"],
    ["a wait that is not a number", "?wait=soon&seen=awaiting_payment"],
  ])("answers at once for %s", async (_what, query) => {
    setUp({ recheckMs: 60_000 });
    await h.openSession();
    const started = Date.now();
    const res = await h.app(new Request(statusUrl(query)));
    expect(await res.json()).toMatchObject({ status: "awaiting_payment" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("answers at once past the cap of held requests (plain polling)", async () => {
    setUp({ maxHeld: 0 });
    await h.openSession();
    const started = Date.now();
    const res = await h.app(new Request(statusUrl("?wait=10&seen=awaiting_payment")));
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "awaiting_payment" });
    expect(body).not.toHaveProperty("longPollSeconds");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("an unknown purchase is still a 404, not a held request", async () => {
    setUp();
    const res = await h.app(new Request(statusUrl("?wait=10&seen=awaiting_payment")));
    expect(res.status).toBe(404);
  });
});
