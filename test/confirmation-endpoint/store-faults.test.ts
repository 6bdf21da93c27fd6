// The store failing or locked, seen from the routes: every route answers 503 (nothing saved, try
// again), and a SQLite file locked by another connection leaves the endpoint answering meanwhile.

import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { MINUTE } from "./fakes";
import { createHarness, PORTAL, PURCHASE, T0 } from "./harness";
import type { Harness } from "./harness";

let h: Harness;
afterEach(async () => {
  await h.close();
});

function rtmHarness(): Harness {
  return createHarness({
    startAt: T0 + MINUTE,
    rtm: () => ({
      defaultReturnUrl: `${PORTAL}/`,
      configuredTimeoutMinutes: 30,
      readEvent: async () => ({
        readableEventId: "Paid_Event1479011247",
        eventName: "Paid Event",
        timeoutMinutes: 30,
        providerId: null,
        usesPaymentProvider: true,
      }),
    }),
  });
}

describe("store failures answer 503 on every route", () => {
  it("checkout, webhook, status, RTM pay and readiness", async () => {
    h = rtmHarness();
    h.dataverse.addPurchase({ purchaseId: PURCHASE, createdOn: new Date(T0).toISOString() });
    const sessionId = await h.openSession();
    h.provider.pay(sessionId);
    h.storeSwitch.mode = "down";
    const answers = {
      checkout: (await h.checkout()).res,
      webhook: await h.app(h.webhookRequest(h.completedEvent(sessionId))),
      status: await h.app(new Request(`http://endpoint.test/v1/purchases/${PURCHASE}/status`)),
      rtm: await h.app(
        new Request(`http://endpoint.test/v1/rtm/pay?purchaseId=${PURCHASE}`, { redirect: "manual" }),
      ),
      readyz: await h.app(new Request("http://endpoint.test/readyz")),
    };
    for (const [route, res] of Object.entries(answers)) expect([route, res.status]).toEqual([route, 503]);
  });
});

describe("a SQLite file locked by another connection", () => {
  it("keeps /healthz answering while a webhook waits for the lock, then stores the webhook", async () => {
    h = createHarness();
    h.dataverse.addPurchase({ purchaseId: PURCHASE, createdOn: new Date(T0).toISOString() });
    const sessionId = await h.openSession();
    h.provider.pay(sessionId);
    const other = new Database(h.dbPath);
    other.prepare("BEGIN IMMEDIATE").run();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const order: string[] = [];
    const webhook = h.app(h.webhookRequest(h.completedEvent(sessionId))).then((res) => {
      order.push("webhook");
      return res;
    });
    // Ask for /healthz a few times while the webhook waits; the lock goes away after those.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect((await h.app(new Request("http://endpoint.test/healthz"))).status).toBe(200);
      order.push("healthz");
    }
    other.prepare("ROLLBACK").run();
    other.close();
    expect((await webhook).status).toBe(200);
    delay.disable();
    expect(order.indexOf("webhook")).toBe(5);
    // The old 5 s busy timeout held the event loop for the whole wait.
    expect(delay.max / 1e6).toBeLessThan(1000);
    expect((await h.store.listJobs()).some((j) => j.kind === "payment")).toBe(true);
  });
});
