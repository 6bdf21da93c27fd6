import { describe, expect, it } from "vitest";
import { ingestMissedEvents } from "../../confirmation-endpoint/worker/ingest-missed-events";
import { MINUTE, sign } from "./fakes";
import { CONTACT, PORTAL, PURCHASE, T0, payAndNotify, useHarness } from "./harness";
import type { Harness } from "./harness";

let h: Harness;
useHarness((created) => (h = created));

describe("webhook → worker → finalize", () => {
  it("finalizes a paid purchase once, re-reading the payment first, and passes the guard as deadline", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const { sessionId } = await payAndNotify(h);
    expect(await h.statusOf()).toMatchObject({ status: "paid" });
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    const call = h.dataverse.calls.find((c) => c.op === "finalize")!;
    expect(call.input).toEqual({
      purchaseId: PURCHASE,
      readableEventId: "Paid_Event1479011247",
      userId: CONTACT,
    });
    expect(call.options?.deadline).toBe(T0 + 47 * MINUTE);
    expect(h.provider.calls.filter((c) => c.op === "getPayment").map((c) => c.ref)).toEqual([sessionId]);
    expect(await h.statusOf()).toEqual({
      status: "finalized",
      readableEventId: "Paid_Event1479011247",
      confirmationUrl: `${PORTAL}/event/confirmation?id=Paid_Event1479011247`,
    });
    const jobLog = h.logger.entries.find((e) => e.msg === "job" && e.outcome === "finalized")!;
    expect(jobLog).toMatchObject({ purchaseId: PURCHASE, kind: "finalize" });
    expect(typeof jobLog.durationMs).toBe("number");
    // The close and guard jobs ran later and found nothing to do.
    expect(h.provider.refundCount()).toBe(0);
  });

  it("the same event twice, in sequence and concurrently: 2xx every time, one finalize", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const { sessionId } = await payAndNotify(h);
    const event = h.completedEvent(sessionId);
    const again = [h.webhookRequest(event), h.webhookRequest(event), h.webhookRequest(event)];
    const statuses = await Promise.all(again.map((r) => h.app(r).then((res) => res.status)));
    expect(statuses).toEqual([200, 200, 200]);
    const seq = await h.app(h.webhookRequest(event));
    expect(await seq.json()).toMatchObject({ stored: 0, duplicates: 1 });
    await Promise.all([h.worker.drain(), h.newWorker().drain()]);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
  });

  it("completed + async_payment_succeeded for one payment → one finalize", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const { sessionId } = await payAndNotify(h);
    await h.app(
      h.webhookRequest(h.completedEvent(sessionId, { type: "checkout.session.async_payment_succeeded" })),
    );
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
  });

  it("out of order: async_payment_succeeded, then completed, then expired → finalized, not released", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const sessionId = await h.openSession();
    h.provider.pay(sessionId);
    for (const type of ["checkout.session.async_payment_succeeded", "checkout.session.completed"]) {
      expect((await h.app(h.webhookRequest(h.completedEvent(sessionId, { type })))).status).toBe(200);
    }
    expect(
      (
        await h.app(
          h.webhookRequest(
            h.completedEvent(sessionId, { type: "checkout.session.expired", signal: "expired" }),
          ),
        )
      ).status,
    ).toBe(200);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect((await h.statusOf()).status).toBe("finalized");
  });

  it("an event that arrives while its job is running is not lost (the job runs again)", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const sessionId = await h.openSession();
    // First event: "completed" while still unpaid; the shopper's payment lands during the re-read.
    await h.app(h.webhookRequest(h.completedEvent(sessionId, { signal: "pending" })));
    h.provider.onGetPayment = () => {
      h.provider.onGetPayment = null;
      h.provider.pay(sessionId);
      void h.app(
        h.webhookRequest(
          h.completedEvent(sessionId, { type: "checkout.session.async_payment_succeeded", signal: "paid" }),
        ),
      );
    };
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect((await h.statusOf()).status).toBe("finalized");
  });
});

describe("reconciliation: events the provider could not deliver", () => {
  it("an event seen only through the missed-events list is ingested once, then finalized once", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const sessionId = await h.openSession();
    h.provider.pay(sessionId);
    const e = h.completedEvent(sessionId);
    h.provider.missed = [
      {
        provider: "stripe",
        dedupeKey: e.id,
        type: e.type,
        signal: "paid",
        purchaseId: PURCHASE,
        providerPaymentId: e.paymentId ?? null,
        providerSessionId: sessionId,
        amount: e.amount ?? null,
        live: false,
        occurredAt: new Date(h.clock.now()),
      },
    ];
    const deps = {
      provider: h.provider,
      store: h.store,
      clock: h.clock,
      logger: h.logger,
      metrics: h.metrics,
    };
    expect(await ingestMissedEvents(deps)).toEqual({ fetched: 1, stored: 1, duplicates: 0 });
    expect(await ingestMissedEvents(deps)).toEqual({ fetched: 1, stored: 0, duplicates: 1 });
    expect(h.provider.calls.find((c) => c.op === "listMissedEvents")!.ref).toBe(
      new Date(h.clock.now() - 3 * 24 * 60 * MINUTE).toISOString(),
    );
    await h.settle();
    // The late delivery of the same event changes nothing.
    expect(await (await h.app(h.webhookRequest(e))).json()).toMatchObject({ stored: 0, duplicates: 1 });
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect((await h.statusOf()).status).toBe("finalized");
  });
});

describe("untrusted webhooks: 400 and nothing stored", () => {
  const cases: Array<[string, (h: Harness) => Request]> = [
    [
      "missing signature",
      () => new Request("http://endpoint.test/v1/webhooks/stripe", { method: "POST", body: "{}" }),
    ],
    [
      "wrong secret",
      (h) => {
        const body = JSON.stringify({
          id: "evt_x",
          type: "checkout.session.completed",
          signal: "paid",
          purchaseId: PURCHASE,
        });
        const t = Math.floor(h.clock.now() / 1000);
        return h.webhookRequest(
          { id: "evt_x", type: "t", signal: "paid" },
          { body, signature: `t=${t},v1=${sign(t, body, "whsec_other")}` },
        );
      },
    ],
    [
      "tampered body",
      (h) => {
        const body = JSON.stringify({
          id: "evt_x",
          type: "checkout.session.completed",
          signal: "paid",
          purchaseId: PURCHASE,
        });
        const t = Math.floor(h.clock.now() / 1000);
        return h.webhookRequest(
          { id: "evt_x", type: "t", signal: "paid" },
          { body: body.replace("paid", "paiD"), signature: `t=${t},v1=${sign(t, body)}` },
        );
      },
    ],
    [
      "stale timestamp (now − 301 s)",
      (h) =>
        h.webhookRequest(
          { id: "evt_x", type: "t", signal: "paid", purchaseId: PURCHASE },
          { t: Math.floor(h.clock.now() / 1000) - 301 },
        ),
    ],
    [
      "future timestamp (now + 3600 s)",
      (h) =>
        h.webhookRequest(
          { id: "evt_x", type: "t", signal: "paid", purchaseId: PURCHASE },
          { t: Math.floor(h.clock.now() / 1000) + 3600 },
        ),
    ],
    [
      "v0 only",
      (h) => h.webhookRequest({ id: "evt_x", type: "t", signal: "paid" }, { signature: "t=1,v0=abc" }),
    ],
  ];
  it.each(cases)("%s", async (_name, build) => {
    await h.checkout();
    const before = await h.counts();
    const res = await h.app(build(h));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string } };
    expect(["BAD_SIGNATURE", "STALE_TIMESTAMP", "MALFORMED"]).toContain(body.error.code);
    expect(await h.counts()).toEqual(before);
    expect(await h.metrics.value("gateway_webhooks_total", { outcome: "rejected" })).toBe(1);
  });

  it("answers 404 for an unknown provider and 413 for a body over 256 KiB", async () => {
    const unknown = await h.app(
      new Request("http://endpoint.test/v1/webhooks/adyen", { method: "POST", body: "{}" }),
    );
    expect(unknown.status).toBe(404);
    const big = await h.app(
      h.webhookRequest({ id: "evt_big", type: "t", signal: "ignored" }, { body: "x".repeat(300 * 1024) }),
    );
    expect(big.status).toBe(413);
  });
});

describe("store down during a webhook", () => {
  it("answers 5xx with no outbound call, and the redelivery is processed once", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const sessionId = await h.openSession();
    h.provider.pay(sessionId);
    const event = h.completedEvent(sessionId);
    const callsBefore = h.provider.calls.length + h.dataverse.calls.length;
    h.storeSwitch.mode = "down";
    const res = await h.app(h.webhookRequest(event));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("TEMPORARILY_UNAVAILABLE");
    expect(h.provider.calls.length + h.dataverse.calls.length).toBe(callsBefore);
    h.storeSwitch.mode = "up";
    expect((await h.store.listJobs()).filter((j) => j.kind === "payment")).toEqual([]);
    h.clock.advance(MINUTE);
    expect((await h.app(h.webhookRequest(event))).status).toBe(200);
    expect((await h.app(h.webhookRequest(event))).status).toBe(200);
    await h.settle();
    expect(h.dataverse.finalizeCount()).toBe(1);
  });
});
