// Real-time journeys mode, in-process: GET /v1/rtm/pay against fakes, the shared webhook → worker
// path, and the Completed / Cancelled reports to Dynamics.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CallOptions, PurchaseRow, RtmPaymentStatus } from "../../confirmation-endpoint/dataverse/types";
import { DataverseError } from "../../confirmation-endpoint/dataverse/errors";
import type { RtmEventInfo } from "../../confirmation-endpoint/rtm/read-rtm-event";
import type { FakeEventBody } from "./fakes";
import { FakeDataverse, MINUTE } from "./fakes";
import { CONTACT, createHarness, OTHER_PURCHASE, PORTAL, PURCHASE, T0 } from "./harness";

const EVENT_SITE = "https://events.contoso.com";
const DEFAULT_RETURN = `${EVENT_SITE}/thanks`;
const RETURN = `${EVENT_SITE}/event/Paid_Event1479011247?registered=1`;

/** FakeDataverse that also plays the RTM side: rows that appear late, and the RTM finalize action. */
class RtmFakeDataverse extends FakeDataverse {
  rtmCalls: Array<{ purchaseId: string; status: RtmPaymentStatus }> = [];
  rtmErrors: Error[] = [];
  /** Reads that still find nothing, per purchase (the asynchronous pipeline has not written the row). */
  missingReads = new Map<string, number>();

  addRtmPurchase(purchaseId: string, amountMinor = 4000, currency = "EUR"): void {
    this.addPurchase({
      purchaseId,
      readableEventId: null,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    const row = this.purchases.get(purchaseId)!.row!;
    row.totalMinor = amountMinor;
    row.currency = currency;
  }

  override async readPurchase(purchaseId: string, options?: CallOptions): Promise<PurchaseRow | null> {
    const left = this.missingReads.get(purchaseId) ?? 0;
    if (left > 0) {
      this.calls.push({ op: "read", purchaseId, options });
      this.missingReads.set(purchaseId, left - 1);
      return null;
    }
    return super.readPurchase(purchaseId, options);
  }

  override async finalizeRtmPayment(purchaseId: string, status: RtmPaymentStatus): Promise<void> {
    this.rtmCalls.push({ purchaseId, status });
    const error = this.rtmErrors.shift();
    if (error) throw error;
    if (status === "completed")
      this.registrations.set(purchaseId, (this.registrations.get(purchaseId) ?? 0) + 1);
  }
}

function createRtmHarness(
  options: {
    timeoutFromRecord?: number | null;
    configuredTimeout?: number | null;
    publicUrl?: string | null;
    /** The event takes payments on its portal page (no real-time journeys payment provider). */
    portalEvent?: boolean;
  } = {},
) {
  const sleeps: number[] = [];
  const eventReads: string[] = [];
  const base = createHarness({
    startAt: T0 + MINUTE,
    dataverse: new RtmFakeDataverse(),
    portalOrigins: [PORTAL, EVENT_SITE],
    rtm: (clock) => ({
      defaultReturnUrl: DEFAULT_RETURN,
      configuredTimeoutMinutes: options.configuredTimeout ?? null,
      async readEvent(purchaseId): Promise<RtmEventInfo> {
        eventReads.push(purchaseId);
        const timeout = options.timeoutFromRecord === undefined ? 20 : options.timeoutFromRecord;
        return {
          readableEventId: "Paid_Event1479011247",
          eventName: "Paid Event",
          timeoutMinutes: timeout,
          providerId: null,
          usesPaymentProvider: options.portalEvent ? false : true,
        };
      },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      purchaseWaitMs: 8_000,
      publicUrl: () => (options.publicUrl === undefined ? "https://pay.contoso.com" : options.publicUrl),
    }),
  });

  const pay = (query: Record<string, string>) =>
    base.app(
      new Request(`http://endpoint.test/v1/rtm/pay?${new URLSearchParams(query).toString()}`, {
        redirect: "manual",
      }),
    );

  return {
    ...base,
    sleeps,
    eventReads,
    settle: (until?: number) => base.settle(base.worker, until),
    pay,
    webhook: (event: FakeEventBody) => base.app(base.webhookRequest(event)),
  };
}

type RtmHarness = ReturnType<typeof createRtmHarness>;
let h: RtmHarness;

function sessionIdOf(res: Response): string {
  expect(res.status).toBe(302);
  return res.headers.get("location")!.split("/").pop()!;
}

async function payAndNotify(): Promise<string> {
  const sessionId = sessionIdOf(await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN }));
  h.provider.pay(sessionId);
  const res = await h.webhook(h.completedEvent(sessionId));
  expect(res.status).toBe(200);
  return sessionId;
}

describe("GET /v1/rtm/pay → webhook → msevtmgt_finalizeregistrationpayment", () => {
  beforeEach(() => {
    h = createRtmHarness();
    h.dataverse.addRtmPurchase(PURCHASE);
  });
  afterEach(async () => {
    expect(h.dataverse.unexpected).toEqual([]);
    expect(h.provider.unexpected).toEqual([]);
    await h.close();
  });

  it("redirects to the hosted page priced from the purchase row, and reports Completed exactly once", async () => {
    const res = await h.pay({ purchaseId: `{${PURCHASE.toUpperCase()}}`, returnUrl: RETURN });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^https:\/\/checkout\.example\.test\/pay\/cs_test_/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const session = h.provider.sessions.get(sessionIdOf(res))!;
    expect(session.request).toMatchObject({
      purchaseId: PURCHASE,
      mode: "rtm",
      amount: { minor: 4000, currency: "EUR" },
      readableEventId: "Paid_Event1479011247",
      successUrl: `${RETURN}&gatewayReturn=success`,
    });
    expect(session.request.cancelUrl).toMatch(
      new RegExp(
        `^https://pay\\.contoso\\.com/v1/rtm/cancel\\?purchaseId=${PURCHASE}&returnUrl=${encodeURIComponent(RETURN).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}&expires=\\d+&proof=[0-9a-f]{64}$`,
      ),
    );
    // The purchase-detail actions of the portal flow are never asked in RTM mode.
    expect(h.dataverse.calls.filter((c) => c.op === "details")).toEqual([]);

    h.provider.pay(session.id);
    expect((await h.webhook(h.completedEvent(session.id))).status).toBe(200);
    await h.settle();
    expect(h.dataverse.rtmCalls).toEqual([{ purchaseId: PURCHASE, status: "completed" }]);
    expect(h.dataverse.finalizeCount()).toBe(0);
    const purchase = await h.store.getPurchase(PURCHASE);
    expect(purchase).toMatchObject({ state: "finalized", mode: "rtm" });
    expect(h.provider.refundCount()).toBe(0);
  });

  it("takes the deadline from the payment provider's timeout, not the portal's 50 minutes", async () => {
    await payAndNotify();
    const purchase = (await h.store.getPurchase(PURCHASE))!;
    expect(purchase.deadlineAt).toBe(T0 + 20 * MINUTE);
    expect(purchase.guardAt).toBe(T0 + 17 * MINUTE);
    expect(purchase.closeAt).toBe(T0 + 12 * MINUTE);
  });

  it("a repeated request hands back the same open page", async () => {
    const first = await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN });
    const second = await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN });
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(h.provider.sessions.size).toBe(1);
  });

  it("duplicate webhooks (in sequence and concurrently) still report Completed once", async () => {
    const sessionId = await payAndNotify();
    const event = h.completedEvent(sessionId);
    const statuses = await Promise.all([
      h.webhook(event),
      h.webhook(event),
      h.webhook({ ...event, id: "evt_other", type: "checkout.session.async_payment_succeeded" }),
    ]);
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200]);
    await h.settle();
    expect((await h.webhook(event)).status).toBe(200);
    await h.settle();
    expect(h.dataverse.rtmCalls).toEqual([{ purchaseId: PURCHASE, status: "completed" }]);
  });

  it("the shopper's cancel closes the page, expires the purchase and reports Cancelled", async () => {
    const sessionId = sessionIdOf(await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN }));
    const cancel = h.provider.sessions.get(sessionId)!.request.cancelUrl;
    expect(cancel.startsWith("https://pay.contoso.com/v1/rtm/cancel?")).toBe(true);
    const res = await h.app(
      new Request(cancel.replace("https://pay.contoso.com", "http://endpoint.test"), { redirect: "manual" }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${RETURN}&gatewayReturn=cancel`);
    await h.settle(h.clock.now() + MINUTE);
    expect(h.provider.sessions.get(sessionId)!.status).toBe("expired");
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("expired");
    expect(h.dataverse.rtmCalls).toEqual([{ purchaseId: PURCHASE, status: "cancelled" }]);
    // The purchase stays closed: paying again is refused.
    expect((await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN })).status).toBe(410);
  });

  it("a purchase of an event that pays on its portal page cannot be switched to real-time journeys (issue #14, item 2)", async () => {
    await h.close();
    h = createRtmHarness({ portalEvent: true });
    h.dataverse.addRtmPurchase(PURCHASE);
    const res = await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("WRONG_FLOW");
    expect(await h.store.getPurchase(PURCHASE)).toBeNull();
    expect(h.provider.calls.filter((c) => c.op === "createCheckout")).toEqual([]);
  });

  it("a real-time journeys purchase is not paid again on the portal's checkout route", async () => {
    sessionIdOf(await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN }));
    const { res, body } = await h.checkout(PURCHASE);
    expect(res.status).toBe(409);
    expect(body.error.code).toBe("WRONG_FLOW");
  });

  it("a cancel link without the endpoint's proof (made up, forged, or for another purchase) cancels nothing", async () => {
    const sessionId = sessionIdOf(await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN }));
    const signed = new URL(h.provider.sessions.get(sessionId)!.request.cancelUrl);
    const forged = new URL(signed);
    forged.searchParams.set("proof", "0".repeat(64));
    const bare = new URL(`https://pay.contoso.com/v1/rtm/cancel?purchaseId=${PURCHASE}`);
    const stale = new URL(signed);
    stale.searchParams.set("expires", "1");
    for (const url of [bare, forged, stale]) {
      const res = await h.app(
        new Request(url.toString().replace("https://pay.contoso.com", "http://endpoint.test"), {
          redirect: "manual",
        }),
      );
      expect(res.status).toBe(302);
    }
    await h.worker.drain();
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("awaiting_payment");
    expect(h.provider.sessions.get(sessionId)!.status).not.toBe("expired");
    expect(
      await h.metrics.value("gateway_rejected_requests_total", { route: "rtm_cancel", reason: "bad_proof" }),
    ).toBe(3);
  });

  it("unpaid at the guard → pages expired and Cancelled reported once, before Dynamics' own timeout", async () => {
    const sessionId = sessionIdOf(await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN }));
    await h.settle();
    expect(h.provider.sessions.get(sessionId)!.status).toBe("expired");
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("expired");
    expect(h.dataverse.rtmCalls).toEqual([{ purchaseId: PURCHASE, status: "cancelled" }]);
    const job = (await h.store.listJobs()).find((j) => j.kind === "rtm_release")!;
    expect(job.notBefore).toBeLessThan(T0 + 20 * MINUTE);
  });

  it("wrong amount paid → refunded, nothing completed, Cancelled reported", async () => {
    const sessionId = sessionIdOf(await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN }));
    h.provider.pay(sessionId, { minor: 100, currency: "EUR" });
    await h.webhook(h.completedEvent(sessionId));
    await h.settle();
    expect(
      [...h.provider.refunds.values()].map((r) => ({ reason: r.reason, minor: r.amount.minor })),
    ).toEqual([{ reason: "amount_mismatch", minor: 100 }]);
    expect(h.dataverse.rtmCalls).toEqual([{ purchaseId: PURCHASE, status: "cancelled" }]);
    expect((await h.store.listDeadLetters()).map((d) => d.reason)).toEqual(["amount_mismatch"]);
  });

  it("Dynamics refuses Completed → refund and Cancelled (the shared finalize_rejected path)", async () => {
    h.dataverse.rtmErrors.push(
      new DataverseError({ status: 400, code: "0x80040265", message: "PurchaseExpired", retryable: false }),
    );
    await payAndNotify();
    await h.settle();
    expect(h.dataverse.rtmCalls.map((c) => c.status)).toEqual(["completed", "cancelled"]);
    expect([...h.provider.refunds.values()].map((r) => r.reason)).toEqual(["finalize_rejected"]);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("refunded");
  });

  it("without a public URL the cancel button leads back to the return URL; the seats are released when the page closes", async () => {
    await h.close();
    h = createRtmHarness({ publicUrl: null });
    h.dataverse.addRtmPurchase(PURCHASE);
    const sessionId = sessionIdOf(await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN }));
    expect(h.provider.sessions.get(sessionId)!.request.cancelUrl).toBe(`${RETURN}&gatewayReturn=cancel`);
    await h.settle();
    expect(h.dataverse.rtmCalls).toEqual([{ purchaseId: PURCHASE, status: "cancelled" }]);
  });

  it("a Cancelled report that fails transiently is retried until it lands", async () => {
    h.dataverse.rtmErrors.push(
      new DataverseError({ status: 503, code: "0x80072323", message: "busy", retryable: true }),
    );
    sessionIdOf(await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN }));
    await h.settle();
    expect(h.dataverse.rtmCalls.map((c) => c.status)).toEqual(["cancelled", "cancelled"]);
  });
});

describe("GET /v1/rtm/pay input", () => {
  beforeEach(() => {
    h = createRtmHarness();
    h.dataverse.addRtmPurchase(PURCHASE);
  });
  afterEach(async () => {
    expect(h.dataverse.unexpected).toEqual([]);
    await h.close();
  });

  it("purchase row not written yet → read again with growing pauses, then found", async () => {
    h.dataverse.missingReads.set(PURCHASE, 3);
    const res = await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN });
    expect(res.status).toBe(302);
    expect(h.dataverse.calls.filter((c) => c.op === "read").length).toBe(4);
    expect(h.sleeps).toEqual([250, 500, 1000]);
  });

  it("purchase row still missing after the wait → 503 asking to reload, nothing created", async () => {
    h.dataverse.missingReads.set(PURCHASE, 1000);
    const res = await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "PURCHASE_NOT_READY" } });
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8_000);
    expect(h.provider.sessions.size).toBe(0);
    expect(await h.store.getPurchase(PURCHASE)).toBeNull();
  });

  it.each([
    ["a foreign origin", "https://evil.example/steal"],
    ["a look-alike origin", "https://events.contoso.com.evil.example/"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["credentials in the URL", "https://user:pw@events.contoso.com/"],
    ["nothing", ""],
  ])("returnUrl with %s is not followed: the configured default is used", async (_what, returnUrl) => {
    const res = await h.pay({ purchaseId: PURCHASE, returnUrl });
    const session = h.provider.sessions.get(sessionIdOf(res))!;
    expect(session.request.successUrl).toBe(`${DEFAULT_RETURN}?gatewayReturn=success`);
    expect(session.request.cancelUrl).toContain(`returnUrl=${encodeURIComponent(DEFAULT_RETURN)}`);
  });

  it("the cancel route does not follow a foreign returnUrl either", async () => {
    const res = await h.app(
      new Request(
        `https://pay.contoso.com/v1/rtm/cancel?purchaseId=${PURCHASE}&returnUrl=${encodeURIComponent("https://evil.example/")}`,
      ),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${DEFAULT_RETURN}?gatewayReturn=cancel`);
  });

  it("rejects a purchase id that is not a GUID, and other methods", async () => {
    const res = await h.pay({ purchaseId: "12345", returnUrl: RETURN });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "INVALID_REQUEST" } });
    const post = await h.app(new Request("http://endpoint.test/v1/rtm/pay", { method: "POST" }));
    expect(post.status).toBe(405);
  });

  it("no price on the row → 502, nothing charged", async () => {
    h.dataverse.addPurchase({ purchaseId: OTHER_PURCHASE, createdOn: new Date(T0).toISOString() });
    const res = await h.pay({ purchaseId: OTHER_PURCHASE, returnUrl: RETURN });
    expect(res.status).toBe(502);
    expect(h.provider.sessions.size).toBe(0);
  });
});

describe("RTM payment timeout", () => {
  afterEach(async () => {
    await h.close();
  });

  it("configured and record both known → the shorter one", async () => {
    h = createRtmHarness({ timeoutFromRecord: 30, configuredTimeout: 25 });
    h.dataverse.addRtmPurchase(PURCHASE);
    await payAndNotify();
    expect((await h.store.getPurchase(PURCHASE))!.deadlineAt).toBe(T0 + 25 * MINUTE);
    expect(h.logger.entries.some((e) => e.level === "warn" && String(e.msg).includes("differs"))).toBe(true);
  });

  it("record unreadable → RTM_PAYMENT_TIMEOUT_MINUTES", async () => {
    h = createRtmHarness({ timeoutFromRecord: null, configuredTimeout: 40 });
    h.dataverse.addRtmPurchase(PURCHASE);
    await payAndNotify();
    expect((await h.store.getPurchase(PURCHASE))!.deadlineAt).toBe(T0 + 40 * MINUTE);
  });

  it("neither known → 503 naming what to set, nothing created", async () => {
    h = createRtmHarness({ timeoutFromRecord: null, configuredTimeout: null });
    h.dataverse.addRtmPurchase(PURCHASE);
    const res = await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("RTM_TIMEOUT_UNKNOWN");
    expect(body.error.message).toContain("RTM_PAYMENT_TIMEOUT_MINUTES");
    expect(h.provider.sessions.size).toBe(0);
  });

  it("a provider record's timeout too short for the margins → a refusal naming the number to change, logged once", async () => {
    h = createRtmHarness({ timeoutFromRecord: 10, configuredTimeout: null });
    h.dataverse.addRtmPurchase(PURCHASE);
    for (let i = 0; i < 3; i++) {
      const res = await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN });
      expect(res.status).toBe(409);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("RTM_TIMEOUT_TOO_SHORT");
      expect(body.error.message).toContain('"Payment timeout (minutes)"');
      expect(body.error.message).toContain("at least 14 minutes");
    }
    const lines = h.logger.entries.filter((e) => e.msg === "rtm: payment timeout too short");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", purchaseId: PURCHASE, timeoutMinutes: 10 });
    expect(String(lines[0]!.problem)).toContain("lower one of those three settings");
    expect(h.logger.entries.filter((e) => e.level === "error")).toEqual([]);
    expect(h.provider.sessions.size).toBe(0);
    expect(await h.store.getPurchase(PURCHASE)).toBeNull();
  });

  it("a provider record's timeout just long enough still opens the page", async () => {
    h = createRtmHarness({ timeoutFromRecord: 15, configuredTimeout: null });
    h.dataverse.addRtmPurchase(PURCHASE);
    expect((await h.pay({ purchaseId: PURCHASE, returnUrl: RETURN })).status).toBe(302);
    expect((await h.store.getPurchase(PURCHASE))!.deadlineAt).toBe(T0 + 15 * MINUTE);
  });
});

describe("both modes on one endpoint", () => {
  beforeEach(() => {
    h = createRtmHarness();
  });
  afterEach(async () => {
    expect(h.dataverse.unexpected).toEqual([]);
    await h.close();
  });

  it("a portal purchase finalizes with FinalizeExternalRegistrationRequest, an RTM one with finalizeregistrationpayment", async () => {
    h.dataverse.addRtmPurchase(PURCHASE);
    h.dataverse.addPurchase({
      purchaseId: OTHER_PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify();
    const sessionId = await h.openSession(OTHER_PURCHASE);
    h.provider.pay(sessionId);
    await h.webhook(h.completedEvent(sessionId));
    await h.settle();
    expect(h.dataverse.rtmCalls).toEqual([{ purchaseId: PURCHASE, status: "completed" }]);
    expect(h.dataverse.finalizeCount(OTHER_PURCHASE)).toBe(1);
    expect(h.dataverse.finalizeCount(PURCHASE)).toBe(0);
    // An RTM link for the portal purchase is refused rather than mixing the flows.
    expect((await h.pay({ purchaseId: OTHER_PURCHASE, returnUrl: RETURN })).status).toBe(409);
  });
});
