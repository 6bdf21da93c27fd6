import { describe, expect, it } from "vitest";
import { DataverseError } from "../../confirmation-endpoint/dataverse/errors";
import { MINUTE } from "./fakes";
import { CONTACT, OTHER_PURCHASE, PORTAL, PURCHASE, T0, useHarness } from "./harness";
import type { Harness } from "./harness";

let h: Harness;
useHarness((created) => (h = created));

/** An attempt's idempotency key: purchase, attempt, and the tag of its return URLs. */
const attemptKey = (n: number) =>
  expect.stringMatching(new RegExp(`^checkout:${PURCHASE}:${n}:r[0-9a-f]{12}$`));

describe("POST /v1/checkout", () => {
  it("prices from Dataverse, opens one hosted page with a deterministic key and returns the contract body", async () => {
    const { res, body } = await h.checkout(PURCHASE, { amount: 1 });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(PORTAL);
    expect(body.purchase).toMatchObject({
      purchaseId: PURCHASE,
      eventName: "Paid Event",
      amount: { minor: 2500, currency: "EUR" },
      expiresAt: new Date(T0 + 42 * MINUTE).toISOString(),
      deadlineAt: new Date(T0 + 50 * MINUTE).toISOString(),
    });
    expect(body.purchase.attendees).toEqual([
      { name: "A. Attendee", passName: "Standard", amountMinor: 2500 },
    ]);
    expect(body.payment).toMatchObject({
      provider: "stripe",
      redirectUrl: "https://checkout.example.test/pay/cs_test_1",
    });
    expect(h.provider.calls).toEqual([{ op: "createCheckout", key: attemptKey(1) }]);
    const request = h.provider.sessions.get("cs_test_1")!.request;
    expect(request.amount).toEqual({ minor: 2500, currency: "EUR" });
    expect(request.userId).toBe(CONTACT);
    expect(request.closeAt.getTime()).toBe(T0 + 42 * MINUTE);
    const success = new URL(request.successUrl);
    expect(success.origin).toBe(PORTAL);
    expect(success.searchParams.get("gatewayReturn")).toBe("success");
    expect(success.searchParams.get("purchaseId")).toBe(PURCHASE);
    expect(new URL(request.cancelUrl).searchParams.get("gatewayReturn")).toBe("cancel");
    const purchase = await h.store.getPurchase(PURCHASE);
    expect(purchase).toMatchObject({
      t0: T0,
      t0Source: "createdon",
      deadlineAt: T0 + 50 * MINUTE,
      guardAt: T0 + 47 * MINUTE,
      mode: "outbound",
      state: "awaiting_payment",
    });
    const kinds = (await h.store.listJobs()).map((j) => [j.kind, j.notBefore]);
    expect(kinds).toEqual([
      ["close_checkout", T0 + 42 * MINUTE],
      ["guard", T0 + 47 * MINUTE],
    ]);
  });

  it("hands back the still-open page on a repeated call instead of opening a second one", async () => {
    const first = await h.checkout();
    h.clock.advance(3 * MINUTE);
    const second = await h.checkout();
    expect(second.res.status).toBe(200);
    expect(second.body.payment.redirectUrl).toBe(first.body.payment.redirectUrl);
    expect(h.provider.calls.filter((c) => c.op === "createCheckout")).toHaveLength(1);
    expect(h.dataverse.calls.filter((c) => c.op === "details")).toHaveLength(1);
  });

  it("answers 404 for a purchase Dataverse does not know, and stores nothing", async () => {
    const { res, body } = await h.checkout(OTHER_PURCHASE);
    expect(res.status).toBe(404);
    expect(body.error.code).toBe("PURCHASE_NOT_FOUND");
    expect(await h.store.getPurchase(OTHER_PURCHASE)).toBeNull();
  });

  it("answers 409 when Dynamics already records the purchase as paid", async () => {
    h.dataverse.purchases.get(PURCHASE)!.row!.processed = true;
    const { res, body } = await h.checkout();
    expect(res.status).toBe(409);
    expect(body.error.code).toBe("ALREADY_PAID");
    expect(h.provider.calls).toEqual([]);
  });

  it("answers 409 once the endpoint holds the payment", async () => {
    const sessionId = await h.openSession();
    h.provider.pay(sessionId);
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    const again = await h.checkout();
    expect(again.res.status).toBe(409);
    expect(again.body.error.code).toBe("ALREADY_PAID");
  });

  it("answers 410 past the last moment to start paying (T0+45), with no session", async () => {
    h.clock.set(T0 + 45 * MINUTE);
    const { res, body } = await h.checkout();
    expect(res.status).toBe(410);
    expect(body.error.code).toBe("TOO_LATE");
    expect(h.provider.calls).toEqual([]);
    expect(await h.store.getPurchase(PURCHASE)).toBeNull();
  });

  it("answers 503 when Dataverse is busy, and 503 when the provider is", async () => {
    h.dataverse.readError = new DataverseError({
      status: 429,
      code: "0x80072322",
      message: "throttled",
      retryable: true,
    });
    const busy = await h.checkout();
    expect(busy.res.status).toBe(503);
    expect(busy.body.error.code).toBe("DATAVERSE_UNAVAILABLE");
    h.dataverse.readError = null;
    h.provider.onCreateCheckout = () => {
      throw Object.assign(new Error("stripe down"), { retryable: true });
    };
    const down = await h.checkout();
    expect(down.res.status).toBe(503);
    expect(down.body.error.code).toBe("PROVIDER_UNAVAILABLE");
    expect(JSON.stringify(down.body)).not.toContain("stripe down");
  });

  it("refuses a readable event id that does not match the purchase", async () => {
    const { res, body } = await h.checkout(PURCHASE, { readableEventId: "Other_Event" });
    expect(res.status).toBe(400);
    expect(body.error.code).toBe("EVENT_MISMATCH");
    expect(h.provider.calls).toEqual([]);
  });

  it("falls back to first sight minus the backdate when createdon is unreadable", async () => {
    h.dataverse.addPurchase({ purchaseId: OTHER_PURCHASE, rowReadable: false });
    h.clock.set(T0 + 10 * MINUTE);
    const { res } = await h.checkout(OTHER_PURCHASE);
    expect(res.status).toBe(200);
    const p = await h.store.getPurchase(OTHER_PURCHASE);
    expect(p).toMatchObject({ t0: T0 + 8 * MINUTE, t0Source: "first_sight", deadlineAt: T0 + 58 * MINUTE });
    // Without a purchasing contact, the browser's claim is used.
    expect(p!.userId).toBe(CONTACT);
  });

  it.each([
    ["not JSON", "{purchaseId", "INVALID_JSON"],
    ["an array", "[]", "INVALID_REQUEST"],
    [
      "a bad GUID",
      JSON.stringify({ purchaseId: "123", readableEventId: "e", returnUrl: `${PORTAL}/p` }),
      "INVALID_REQUEST",
    ],
    ["no returnUrl", JSON.stringify({ purchaseId: PURCHASE, readableEventId: "e" }), "INVALID_REQUEST"],
    [
      "a foreign returnUrl",
      JSON.stringify({ purchaseId: PURCHASE, readableEventId: "e", returnUrl: "https://evil.test/p" }),
      "RETURN_URL_NOT_ALLOWED",
    ],
    [
      "a relative returnUrl",
      JSON.stringify({ purchaseId: PURCHASE, readableEventId: "e", returnUrl: "/p" }),
      "INVALID_REQUEST",
    ],
  ])("answers 400 for %s with a message", async (_name, body, code) => {
    const res = await h.app(h.checkoutRequest(body));
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(10);
    expect(h.dataverse.calls).toEqual([]);
  });

  it("names the bad fields in the 400 message", async () => {
    const res = await h.app(
      h.checkoutRequest({ purchaseId: 5, readableEventId: "", returnUrl: `${PORTAL}/p` }),
    );
    const json = (await res.json()) as { error: { message: string } };
    expect(json.error.message).toContain("purchaseId");
    expect(json.error.message).toContain("readableEventId");
  });

  it("answers 413 for a body over the cap", async () => {
    const res = await h.app(h.checkoutRequest({ purchaseId: PURCHASE, pad: "x".repeat(20_000) }));
    expect(res.status).toBe(413);
  });

  it("allows CORS for portal origins only, preflight included", async () => {
    const ok = await h.app(
      new Request("http://endpoint.test/v1/checkout", {
        method: "OPTIONS",
        headers: { origin: PORTAL, "access-control-request-method": "POST" },
      }),
    );
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(PORTAL);
    expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
    const denied = await h.app(
      new Request("http://endpoint.test/v1/checkout", {
        method: "OPTIONS",
        headers: { origin: "https://evil.test" },
      }),
    );
    expect(denied.status).toBe(403);
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
    const post = await h.app(h.checkoutRequest({ purchaseId: PURCHASE }, { origin: "https://evil.test" }));
    expect(post.status).toBe(403);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe("ORIGIN_NOT_ALLOWED");
  });

  it("reuses the reserved attempt's key after a crash between session create and record: same session", async () => {
    h.provider.onCreateCheckout = () => {
      h.storeSwitch.mode = "down";
    };
    const crashed = await h.checkout();
    // A store failure is a 503 everywhere: nothing was saved and trying again is the right move.
    expect(crashed.res.status).toBe(503);
    expect(crashed.body.error.code).toBe("TEMPORARILY_UNAVAILABLE");
    h.provider.onCreateCheckout = null;
    h.storeSwitch.mode = "up";
    const again = await h.checkout();
    expect(again.res.status).toBe(200);
    expect(again.body.payment.redirectUrl).toBe("https://checkout.example.test/pay/cs_test_1");
    expect(h.provider.calls.map((c) => c.key)).toEqual([attemptKey(1), attemptKey(1)]);
    expect(h.provider.sessions.size).toBe(1);
  });

  it("a crash after the page was created, then a retry with other parameters: a new attempt, not 502 forever (issue #14, item 4)", async () => {
    h.provider.onCreateCheckout = () => {
      h.storeSwitch.mode = "down";
    };
    expect((await h.checkout(PURCHASE, { locale: "en-US" })).res.status).toBe(503);
    h.provider.onCreateCheckout = null;
    h.storeSwitch.mode = "up";
    // The attendee switched the page to French: the same key now comes with other parameters.
    const again = await h.checkout(PURCHASE, { locale: "fr-FR" });
    expect(again.res.status).toBe(200);
    expect(h.provider.calls.map((c) => c.key)).toEqual([attemptKey(1), attemptKey(1), attemptKey(2)]);
    expect((await h.store.listCheckouts(PURCHASE)).map((c) => [c.attempt, c.state])).toEqual([
      [1, "failed"],
      [2, "open"],
    ]);
    // And it stays payable: one more try hands back the open page.
    expect((await h.checkout(PURCHASE, { locale: "fr-FR" })).body.payment.redirectUrl).toBe(
      again.body.payment.redirectUrl,
    );
  });
});

describe("GET /v1/purchases/{id}/status", () => {
  it("answers the status without personal data, 404 for unknown, 400 for a bad id", async () => {
    await h.checkout();
    const res = await h.app(
      new Request(`http://endpoint.test/v1/purchases/{${PURCHASE.toUpperCase()}}/status`, {
        headers: { origin: PORTAL },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(PORTAL);
    // longPollSeconds: the page may ask the endpoint to hold its next status request (long poll).
    expect(await res.json()).toEqual({
      status: "awaiting_payment",
      readableEventId: "Paid_Event1479011247",
      longPollSeconds: 25,
    });
    const unknown = await h.app(new Request(`http://endpoint.test/v1/purchases/${OTHER_PURCHASE}/status`));
    expect(unknown.status).toBe(404);
    const bad = await h.app(new Request(`http://endpoint.test/v1/purchases/not-a-guid/status`));
    expect(bad.status).toBe(400);
  });
});

describe("POST /v1/checkout: the return address follows the page the attendee is on (issue #20, item 2)", () => {
  const french = `${PORTAL}/fr-FR/pay/?id=Paid_Event1479011247&purchaseId=${PURCHASE}`;

  it("an open page made for the English address is closed and replaced when the French page asks", async () => {
    const first = await h.checkout(PURCHASE, { locale: "en-US" });
    expect(first.res.status).toBe(200);
    // Same page again (a reload, a cancel at the provider): the open page is handed back as before.
    const reload = await h.checkout(PURCHASE, { locale: "en-US" });
    expect(reload.body.payment.redirectUrl).toBe(first.body.payment.redirectUrl);
    const switched = await h.checkout(PURCHASE, { locale: "fr-FR", returnUrl: french });
    expect(switched.res.status).toBe(200);
    expect(switched.body.payment.redirectUrl).not.toBe(first.body.payment.redirectUrl);
    expect(h.provider.calls.map((c) => c.op)).toEqual(["createCheckout", "expireCheckout", "createCheckout"]);
    const [, second] = [...h.provider.sessions.values()];
    expect(new URL(second!.request.successUrl).pathname).toBe("/fr-FR/pay/");
    expect(new URL(second!.request.cancelUrl).pathname).toBe("/fr-FR/pay/");
    expect((await h.store.listCheckouts(PURCHASE)).map((c) => [c.attempt, c.state]).sort()).toEqual([
      [1, "expired"],
      [2, "open"],
    ]);
    // The French page again: its own open page, no new one.
    const again = await h.checkout(PURCHASE, { locale: "fr-FR", returnUrl: french });
    expect(again.body.payment.redirectUrl).toBe(switched.body.payment.redirectUrl);
    expect(h.provider.calls).toHaveLength(3);
  });

  it("a page already paid is not replaced: the attendee is sent to follow the status", async () => {
    await h.checkout(PURCHASE, { locale: "en-US" });
    h.provider.pay([...h.provider.sessions.keys()][0]!);
    const switched = await h.checkout(PURCHASE, { locale: "fr-FR", returnUrl: french });
    expect(switched.res.status).toBe(409);
    expect(switched.body.error.code).toBe("ALREADY_PAID");
    expect(h.provider.calls.filter((c) => c.op === "createCheckout")).toHaveLength(1);
  });

  it("when the provider cannot close the page, the open one is kept (two open pages could take two payments)", async () => {
    await h.checkout(PURCHASE, { locale: "en-US" });
    h.provider.getPaymentError = new Error("provider down");
    const switched = await h.checkout(PURCHASE, { locale: "fr-FR", returnUrl: french });
    expect(switched.res.status).toBe(200);
    expect(h.provider.sessions.size).toBe(1);
    expect((await h.store.listCheckouts(PURCHASE)).map((c) => c.state)).toEqual(["open"]);
  });
});
