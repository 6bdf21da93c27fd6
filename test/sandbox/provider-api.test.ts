// The official stripe SDK against the payment provider stand-in, configured with nothing but
// host, port and protocol: what the kit's Stripe adapter relies on.
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProviderStandIn, type ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";

const SECRET = "whsec_test_provider_api_0123456789";
const T0 = Date.parse("2026-11-26T10:00:00Z");

let standIn: ProviderStandIn;
let stripe: Stripe;
let clock = T0;

function sdkFor(target: ProviderStandIn, key = "sk_test_provider_api"): Stripe {
  const base = new URL(target.apiBase);
  return new Stripe(key, { host: base.hostname, port: Number(base.port), protocol: "http" });
}

function sessionParams(
  overrides: Partial<Stripe.Checkout.SessionCreateParams> = {},
): Stripe.Checkout.SessionCreateParams {
  return {
    mode: "payment",
    line_items: [
      {
        quantity: 2,
        price_data: { currency: "eur", unit_amount: 1250, product_data: { name: "Conference pass" } },
      },
    ],
    client_reference_id: "purchase-1",
    metadata: { purchaseId: "purchase-1", readableEventId: "conf_2026" },
    payment_intent_data: { metadata: { purchaseId: "purchase-1", readableEventId: "conf_2026" } },
    expires_at: Math.floor(T0 / 1000) + 31 * 60,
    success_url: "https://portal.example/pay/?purchaseId=purchase-1&session={CHECKOUT_SESSION_ID}",
    cancel_url: "https://portal.example/pay/?purchaseId=purchase-1&cancelled=1",
    locale: "en",
    ...overrides,
  };
}

beforeEach(async () => {
  clock = T0;
  standIn = await startProviderStandIn({ webhookSecret: SECRET, now: () => clock, sweepIntervalMs: 0 });
  stripe = sdkFor(standIn);
});

afterEach(async () => {
  await standIn.close();
});

describe("checkout sessions", () => {
  it("creates and retrieves a session with Stripe's shape", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams(), {
      idempotencyKey: "checkout:purchase-1:1",
    });
    expect(created.id).toMatch(/^cs_test_/);
    expect(created).toMatchObject({
      object: "checkout.session",
      livemode: false,
      mode: "payment",
      status: "open",
      payment_status: "unpaid",
      amount_total: 2500,
      currency: "eur",
      client_reference_id: "purchase-1",
      metadata: { purchaseId: "purchase-1", readableEventId: "conf_2026" },
      payment_intent: null,
      created: Math.floor(T0 / 1000),
      expires_at: Math.floor(T0 / 1000) + 31 * 60,
    });
    expect(created.url).toBe(`${standIn.url}/c/pay/${created.id}`);
    expect(created.lastResponse.requestId).toMatch(/^req_/);

    const again = await stripe.checkout.sessions.retrieve(created.id);
    expect(again.id).toBe(created.id);
    expect(again.amount_total).toBe(2500);

    const items = await stripe.checkout.sessions.listLineItems(created.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ quantity: 2, amount_total: 2500, description: "Conference pass" });
  });

  it("defaults expires_at to 24 hours and enforces Stripe's 30 min to 24 h window", async () => {
    const defaulted = await stripe.checkout.sessions.create(sessionParams({ expires_at: undefined }));
    expect(defaulted.expires_at).toBe(Math.floor(T0 / 1000) + 24 * 3600);

    const tooSoon = stripe.checkout.sessions.create(
      sessionParams({ expires_at: Math.floor(T0 / 1000) + 29 * 60 }),
    );
    await expect(tooSoon).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 400,
      param: "expires_at",
    });
    const tooLate = stripe.checkout.sessions.create(
      sessionParams({ expires_at: Math.floor(T0 / 1000) + 24 * 3600 + 1 }),
    );
    await expect(tooLate).rejects.toMatchObject({ type: "StripeInvalidRequestError", param: "expires_at" });
  });

  it("rejects unknown parameters and missing required ones with the param named", async () => {
    const unknown = stripe.checkout.sessions.create({
      ...sessionParams(),
      purchase: "x",
    } as Stripe.Checkout.SessionCreateParams);
    await expect(unknown).rejects.toMatchObject({
      code: "parameter_unknown",
      param: "purchase",
      statusCode: 400,
    });
    const noQuantity = stripe.checkout.sessions.create(
      sessionParams({
        line_items: [{ price_data: { currency: "eur", unit_amount: 100, product_data: { name: "x" } } }],
      }),
    );
    await expect(noQuantity).rejects.toMatchObject({
      code: "parameter_missing",
      param: "line_items[0][quantity]",
    });
    const noMode = stripe.checkout.sessions.create(sessionParams({ mode: undefined }));
    await expect(noMode).rejects.toMatchObject({ code: "parameter_missing", param: "mode" });
  });

  it("expires an open session once, then refuses", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const expired = await stripe.checkout.sessions.expire(
      created.id,
      {},
      { idempotencyKey: `expire:${created.id}` },
    );
    expect(expired).toMatchObject({ id: created.id, status: "expired", url: null });
    const events = await stripe.events.list({ type: "checkout.session.expired" });
    expect(events.data.map((e) => (e.data.object as Stripe.Checkout.Session).id)).toEqual([created.id]);

    await expect(stripe.checkout.sessions.expire(created.id)).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 400,
    });
  });

  it("refuses to expire a completed session and expands its payment intent", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    standIn.pay(created.id);
    await expect(stripe.checkout.sessions.expire(created.id)).rejects.toThrow(/status complete/);
    const session = await stripe.checkout.sessions.retrieve(created.id, { expand: ["payment_intent"] });
    expect(session.status).toBe("complete");
    expect(session.payment_status).toBe("paid");
    const intent = session.payment_intent as Stripe.PaymentIntent;
    expect(intent.id).toMatch(/^pi_/);
    expect(intent).toMatchObject({
      object: "payment_intent",
      status: "succeeded",
      amount: 2500,
      amount_received: 2500,
      currency: "eur",
    });
    expect(intent.metadata).toEqual({ purchaseId: "purchase-1", readableEventId: "conf_2026" });

    const retrieved = await stripe.paymentIntents.retrieve(intent.id, { expand: ["latest_charge"] });
    expect((retrieved.latest_charge as Stripe.Charge).id).toMatch(/^ch_/);
    await expect(
      stripe.checkout.sessions.retrieve(created.id, { expand: ["customer_details"] }),
    ).rejects.toMatchObject({
      param: "expand",
    });
  });

  it("answers 404 with Stripe's error body for an unknown session", async () => {
    const missing = stripe.checkout.sessions.retrieve("cs_test_nope");
    await expect(missing).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 404,
      code: "resource_missing",
      param: "id",
    });
    const raw = await fetch(`${standIn.apiBase}/v1/checkout/sessions/cs_test_nope`, {
      headers: { authorization: "Bearer sk_test_x", "stripe-version": "2026-10-28.endive" },
    });
    expect(raw.status).toBe(404);
    expect(raw.headers.get("request-id")).toMatch(/^req_/);
    expect(raw.headers.get("stripe-version")).toBe("2026-10-28.endive");
    const body = (await raw.json()) as { error: Record<string, string> };
    expect(body.error).toEqual({
      type: "invalid_request_error",
      code: "resource_missing",
      param: "id",
      message: "No such checkout.session: 'cs_test_nope'",
    });
  });
});

describe("authentication and errors", () => {
  it("refuses a missing key, a live key, and an unknown route", async () => {
    const noKey = await fetch(`${standIn.apiBase}/v1/events`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    await expect(sdkFor(standIn, "sk_live_abcdefghijklmnop").events.list()).rejects.toMatchObject({
      type: "StripeAuthenticationError",
      statusCode: 401,
    });
    const unknown = await fetch(`${standIn.apiBase}/v1/customers`, {
      headers: { authorization: "Bearer sk_test_x" },
    });
    expect(unknown.status).toBe(404);
  });

  it("serves the request after injected 500s when the SDK retries with the same key", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    standIn.pay(created.id);
    const session = await stripe.checkout.sessions.retrieve(created.id);
    standIn.failNextApiRequests(1);
    const refund = await stripe.refunds.create(
      { payment_intent: String(session.payment_intent) },
      { idempotencyKey: "refund:retry" },
    );
    expect(refund.status).toBe("succeeded");
    expect(standIn.state.refunds()).toHaveLength(1);
  });
});

describe("slow provider", () => {
  it("holds API answers for the configured latency, so a client timeout fires", async () => {
    standIn.setApiLatency(300);
    const base = new URL(standIn.apiBase);
    const impatient = new Stripe("sk_test_slow", {
      host: base.hostname,
      port: Number(base.port),
      protocol: "http",
      timeout: 50,
      maxNetworkRetries: 0,
    });
    await expect(impatient.events.list()).rejects.toMatchObject({ type: "StripeConnectionError" });
    standIn.setApiLatency(0);
    expect((await impatient.events.list()).object).toBe("list");
  });
});

describe("idempotency", () => {
  it("replays the first answer for the same key and parameters", async () => {
    const first = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "checkout:p:1" });
    const second = await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "checkout:p:1" });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(standIn.state.sessions()).toHaveLength(1);
  });

  it("answers 400 idempotency_error when the key is reused with other parameters", async () => {
    await stripe.checkout.sessions.create(sessionParams(), { idempotencyKey: "checkout:p:2" });
    const reuse = stripe.checkout.sessions.create(sessionParams({ client_reference_id: "other" }), {
      idempotencyKey: "checkout:p:2",
    });
    await expect(reuse).rejects.toMatchObject({ type: "StripeIdempotencyError", statusCode: 400 });
    expect(standIn.state.sessions()).toHaveLength(1);
  });

  it("does not save a failed validation under the key", async () => {
    const bad = stripe.checkout.sessions.create(sessionParams({ expires_at: 1 }), {
      idempotencyKey: "checkout:p:3",
    });
    await expect(bad).rejects.toMatchObject({ param: "expires_at" });
    const good = await stripe.checkout.sessions.create(
      sessionParams({ expires_at: 1 + Math.floor(T0 / 1000) + 3600 }),
      {
        idempotencyKey: "checkout:p:4",
      },
    );
    expect(good.status).toBe("open");
  });
});

describe("refunds", () => {
  async function paidIntent(): Promise<string> {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const outcome = standIn.pay(created.id);
    if (outcome.outcome !== "paid") throw new Error("expected the session to be paid");
    return outcome.paymentIntent.id;
  }

  it("refunds the full amount by default and then refuses another", async () => {
    const intent = await paidIntent();
    const refund = await stripe.refunds.create(
      { payment_intent: intent, reason: "requested_by_customer", metadata: { purchaseId: "purchase-1" } },
      { idempotencyKey: `refund:${intent}:deadline_passed` },
    );
    expect(refund.id).toMatch(/^re_/);
    expect(refund).toMatchObject({
      object: "refund",
      amount: 2500,
      currency: "eur",
      status: "succeeded",
      payment_intent: intent,
    });
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe("succeeded");
    const charge = standIn.state.charges()[0];
    expect(charge).toMatchObject({ amount_refunded: 2500, refunded: true });
    await expect(stripe.refunds.create({ payment_intent: intent })).rejects.toMatchObject({
      code: "charge_already_refunded",
      statusCode: 400,
    });
  });

  it("takes partial refunds and refuses more than what is left", async () => {
    const intent = await paidIntent();
    const first = await stripe.refunds.create({ payment_intent: intent, amount: 1000 });
    expect(first.amount).toBe(1000);
    await expect(stripe.refunds.create({ payment_intent: intent, amount: 1501 })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      param: "amount",
      statusCode: 400,
    });
    const rest = await stripe.refunds.create({ payment_intent: intent });
    expect(rest.amount).toBe(1500);
    const listed = await stripe.refunds.list({ payment_intent: intent });
    expect(listed.data.map((r) => r.amount)).toEqual([1500, 1000]);
  });

  it("refuses to refund an unpaid or unknown payment intent", async () => {
    const created = await stripe.checkout.sessions.create(sessionParams());
    const declined = standIn.decline(created.id);
    if (declined.outcome !== "declined") throw new Error("expected a decline");
    await expect(stripe.refunds.create({ payment_intent: declined.paymentIntent.id })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(stripe.refunds.create({ payment_intent: "pi_unknown" })).rejects.toMatchObject({
      statusCode: 404,
      code: "resource_missing",
    });
  });
});

describe("events", () => {
  it("lists newest first with type and created filters and pagination", async () => {
    const a = await stripe.checkout.sessions.create(sessionParams());
    standIn.pay(a.id);
    clock += 60_000;
    const b = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(b.id);

    const all = await stripe.events.list({ limit: 100 });
    expect(all.data.map((e) => e.type)).toEqual([
      "checkout.session.expired",
      "checkout.session.completed",
      "payment_intent.succeeded",
      "charge.succeeded",
      "payment_intent.created",
    ]);
    for (const event of all.data) {
      expect(event.id).toMatch(/^evt_/);
      expect(event).toMatchObject({ object: "event", livemode: false, api_version: "2026-10-28.endive" });
    }
    const completed = await stripe.events.list({ type: "checkout.session.completed" });
    expect(completed.data).toHaveLength(1);
    expect((completed.data[0]?.data.object as Stripe.Checkout.Session).payment_status).toBe("paid");
    const byPrefix = await stripe.events.list({ types: ["checkout.session.*"] });
    expect(byPrefix.data).toHaveLength(2);
    const recent = await stripe.events.list({ created: { gte: Math.floor(T0 / 1000) + 60 } });
    expect(recent.data.map((e) => e.type)).toEqual(["checkout.session.expired"]);

    const firstPage = await stripe.events.list({ limit: 2 });
    expect(firstPage.has_more).toBe(true);
    const secondPage = await stripe.events.list({ limit: 2, starting_after: firstPage.data[1]?.id });
    expect(secondPage.data.map((e) => e.type)).toEqual(["payment_intent.succeeded", "charge.succeeded"]);
    const everything = await stripe.events.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(everything).toHaveLength(5);

    const one = await stripe.events.retrieve(all.data[0]?.id ?? "");
    expect(one.type).toBe("checkout.session.expired");
    await expect(stripe.events.list({ limit: 101 })).rejects.toMatchObject({ param: "limit" });
  });
});

describe("lists and the dashboard", () => {
  it("pages backwards with ending_before and finds a session by its payment intent", async () => {
    const first = await stripe.checkout.sessions.create(sessionParams({ client_reference_id: "first" }));
    const second = await stripe.checkout.sessions.create(sessionParams({ client_reference_id: "second" }));
    const third = await stripe.checkout.sessions.create(sessionParams({ client_reference_id: "third" }));
    const newer = await stripe.checkout.sessions.list({ ending_before: first.id, limit: 1 });
    expect(newer.data.map((s) => s.id)).toEqual([second.id]);
    expect(newer.has_more).toBe(true);
    const paid = standIn.pay(second.id);
    if (paid.outcome !== "paid") throw new Error("expected the session to be paid");
    const found = await stripe.checkout.sessions.list({
      payment_intent: paid.paymentIntent.id,
      expand: ["data.payment_intent"],
    });
    expect(found.data.map((s) => s.id)).toEqual([second.id]);
    expect((found.data[0]?.payment_intent as Stripe.PaymentIntent).status).toBe("succeeded");
    await expect(stripe.checkout.sessions.list({ starting_after: "cs_test_unknown" })).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(third.status).toBe("open");
  });

  it("escapes what callers put in sessions when it shows them on the dashboard", async () => {
    await stripe.checkout.sessions.create(
      sessionParams({ client_reference_id: "<img src=x onerror=alert(1)>" }),
    );
    const response = await fetch(standIn.dashboardUrl);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toContain("<img");
    expect(html).not.toContain(SECRET);
  });
});
