// Checkouts of purchases the endpoint has not seen read Dataverse on the application user's budget,
// which finalizing needs too: a flood of made-up purchase ids is answered 429 before it reaches
// Dataverse, while purchases already stored keep working.
import { afterEach, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../confirmation-endpoint/http/rate-limit";
import { MINUTE } from "./fakes";
import { CONTACT, PURCHASE, T0, createHarness } from "./harness";
import type { Harness } from "./harness";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const madeUp = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

describe("checkout rate limit for new purchases", () => {
  it("answers 429 with Retry-After past the limit, without calling Dataverse, and lets stored purchases through", async () => {
    h = createHarness({ newPurchaseCheckoutsPerMinute: 3 });
    h.dataverse.addPurchase({
      purchaseId: PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    expect((await h.checkout(PURCHASE)).res.status).toBe(200);
    for (let i = 1; i <= 2; i++) expect((await h.checkout(madeUp(i))).res.status).toBe(404);
    const lookups = h.dataverse.calls.length;

    const limited = await h.checkout(madeUp(3));
    expect(limited.res.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(Number(limited.res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(h.dataverse.calls.length).toBe(lookups);

    // The purchase already stored is not a new lookup: it is served from the store.
    expect((await h.checkout(PURCHASE)).res.status).toBe(200);

    h.clock.advance(MINUTE);
    expect((await h.checkout(madeUp(4))).res.status).toBe(404);
  });
});

describe("createRateLimiter", () => {
  it("counts per key in fixed windows and keeps at most maxKeys windows", () => {
    let now = 0;
    const limiter = createRateLimiter({ limit: 2, windowMs: 1000, now: () => now, maxKeys: 3 });
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([
      { ok: true },
      { ok: true },
      { ok: false, retryAfterSeconds: 1 },
    ]);
    for (const key of ["b", "c", "d", "e"]) limiter.take(key);
    // "a" was the oldest window and was dropped to stay within 3 keys: it starts afresh.
    expect(limiter.take("a")).toEqual({ ok: true });
    now = 1000;
    expect(limiter.take("b")).toEqual({ ok: true });
  });
});
