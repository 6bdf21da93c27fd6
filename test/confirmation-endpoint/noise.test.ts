// Unauthenticated noise (badly signed webhooks, made-up purchase ids) is counted and sampled: it
// cannot flood the log nor raise an error-level line, whatever its volume.

import { describe, expect, it } from "vitest";
import { createLogSampler } from "../../confirmation-endpoint/log-sampler";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { MINUTE } from "./fakes";
import type { FakeEventBody } from "./fakes";
import { OTHER_PURCHASE, useHarness } from "./harness";
import type { Harness } from "./harness";

let h: Harness;
useHarness((created) => (h = created));

const BAD_EVENT: FakeEventBody = {
  id: "evt_forged",
  type: "checkout.session.completed",
  signal: "paid",
  purchaseId: OTHER_PURCHASE,
  sessionId: "cs_forged",
  paymentId: "pi_forged",
  amount: { minor: 100, currency: "EUR" },
};

describe("unauthenticated noise", () => {
  it("badly signed webhooks: every one counted, one log line a minute with the count left out", async () => {
    for (let i = 0; i < 50; i++) {
      const res = await h.app(h.webhookRequest(BAD_EVENT, { signature: `t=1,v1=${"0".repeat(64)}` }));
      expect(res.status).toBe(400);
    }
    const labels = { route: "webhook", reason: "bad_signature" };
    expect(await h.metrics.value("gateway_rejected_requests_total", labels)).toBe(50);
    const lines = () => h.logger.entries.filter((e) => e.msg === "webhook" && e.outcome === "rejected");
    expect(lines()).toHaveLength(1);

    h.clock.advance(MINUTE);
    await h.app(h.webhookRequest(BAD_EVENT, { signature: "t=1,v1=00" }));
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toMatchObject({ level: "warn", code: "BAD_SIGNATURE", suppressed: 49 });
    expect(await h.metrics.value("gateway_rejected_requests_total", labels)).toBe(51);
  });

  it("made-up purchase ids: 404 each, counted, at most one warn line and no error line", async () => {
    const ids = Array.from(
      { length: 25 },
      (_, i) => `7c9e6679-7425-40de-944b-${String(i).padStart(12, "0")}`,
    );
    for (const id of ids) {
      const { res, body } = await h.checkout(id);
      expect(res.status).toBe(404);
      expect(body.error.code).toBe("PURCHASE_NOT_FOUND");
    }
    expect(
      await h.metrics.value("gateway_rejected_requests_total", {
        route: "checkout",
        reason: "unknown_purchase",
      }),
    ).toBe(25);
    const mentioning = h.logger.entries.filter((e) => e.level === "warn" || e.level === "error");
    expect(mentioning.filter((e) => e.level === "error")).toEqual([]);
    expect(mentioning).toHaveLength(1);
    expect(mentioning[0]).toMatchObject({ msg: "checkout: unknown purchase" });
  });
});

describe("log sampler", () => {
  it("writes the first line of each key per interval and reports how many it left out", () => {
    let now = 0;
    const logger = createMemoryLogger();
    const sampler = createLogSampler(logger, () => now, 1000);
    for (let i = 0; i < 5; i++) sampler.log("warn", "a", "line a", { i });
    sampler.log("warn", "b", "line b");
    now = 999;
    sampler.log("warn", "a", "line a", { i: 5 });
    now = 1000;
    sampler.log("warn", "a", "line a", { i: 6 });
    expect(logger.entries).toEqual([
      { level: "warn", msg: "line a", i: 0 },
      { level: "warn", msg: "line b" },
      { level: "warn", msg: "line a", i: 6, suppressed: 5 },
    ]);
  });
});
