// The adapter's outbound calls through the real stripe SDK, pointed at a local fake of Stripe's
// API that fails the test on any request it was not told to expect. Each test asserts the exact
// form fields and headers that crossed the wire.

import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProviderConfigError, ProviderError } from "../../confirmation-endpoint/providers/errors";
import { createStripeAdapter } from "../../confirmation-endpoint/providers/stripe";
import type { StripeAdapter, StripeAdapterConfig } from "../../confirmation-endpoint/providers/stripe";
import type { CheckoutRequest, Money, RefundReason } from "../../confirmation-endpoint/providers/types";
import { startFakeStripeApi } from "./fake-stripe-api";
import type { FakeStripeApi } from "./fake-stripe-api";

const NOW = new Date("2026-11-26T12:00:00Z");
const NOW_S = Math.floor(NOW.getTime() / 1000);
const KEY = "sk_test_fake_key";

let fake: FakeStripeApi;
let adapter: StripeAdapter;

function makeAdapter(overrides: Partial<StripeAdapterConfig> = {}): StripeAdapter {
  return createStripeAdapter({
    secretKey: KEY,
    webhookSecrets: ["whsec_x"],
    apiBase: fake.url,
    maxNetworkRetries: 0,
    timeoutMs: 5000,
    now: () => NOW,
    ...overrides,
  });
}

beforeEach(async () => {
  fake = await startFakeStripeApi();
  adapter = makeAdapter();
});

afterEach(async () => {
  try {
    fake.assertDone();
  } finally {
    await fake.close();
  }
});

function checkoutRequest(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    purchaseId: "9f1c2d3e-0000-4000-8000-000000000001",
    readableEventId: "contoso-conf-2026",
    userId: "u-42",
    mode: "outbound",
    amount: { minor: 2500, currency: "EUR" },
    description: "Contoso Conference 2026: 1 pass",
    locale: "de-DE",
    successUrl: "https://contoso.powerappsportals.com/pay/?id=contoso-conf-2026&purchaseId=p&result=success",
    cancelUrl: "https://contoso.powerappsportals.com/pay/?id=contoso-conf-2026&purchaseId=p&result=cancel",
    closeAt: new Date(NOW.getTime() + 42 * 60_000),
    ...overrides,
  };
}

function sessionReply(expiresAt: number, id = "cs_test_a1") {
  return {
    body: {
      id,
      object: "checkout.session",
      status: "open",
      payment_status: "unpaid",
      url: `https://checkout.stripe.test/c/pay/${id}`,
      expires_at: expiresAt,
    },
  };
}

async function createAndCapture(request: CheckoutRequest, a = adapter) {
  fake.expect("POST", "/v1/checkout/sessions", (r) => sessionReply(Number(r.form["expires_at"])));
  const result = await a.createCheckout(request, { idempotencyKey: `checkout:${request.purchaseId}:1` });
  const sent = fake.requests.at(-1);
  if (!sent) throw new Error("no request recorded");
  return { result, sent };
}

/** A refund of p-1's payment (pi_1, 25.00 EUR unless overridden) and its kit idempotency key. */
function refundOf(reason: RefundReason, overrides: { providerPaymentId?: string; amount?: Money } = {}) {
  const providerPaymentId = overrides.providerPaymentId ?? "pi_1";
  return [
    {
      providerPaymentId,
      amount: overrides.amount ?? { minor: 2500, currency: "EUR" },
      reason,
      purchaseId: "p-1",
    },
    { idempotencyKey: `refund:${providerPaymentId}:${reason}` },
  ] as const;
}

async function expectProviderError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error("expected a ProviderError");
}

describe("createCheckout", () => {
  it("sends one line item from the Dataverse amount, the kit's metadata and our idempotency key", async () => {
    const request = checkoutRequest();
    const { result, sent } = await createAndCapture(request);
    const meta = {
      purchaseId: request.purchaseId,
      readableEventId: "contoso-conf-2026",
      userId: "u-42",
      mode: "outbound",
      kit: "epg",
    };
    const expectedForm: Record<string, string> = {
      mode: "payment",
      "line_items[0][quantity]": "1",
      "line_items[0][price_data][currency]": "eur",
      "line_items[0][price_data][unit_amount]": "2500",
      "line_items[0][price_data][product_data][name]": "Contoso Conference 2026: 1 pass",
      client_reference_id: request.purchaseId,
      "allowed_payment_method_types[0]": "card",
      expires_at: String(NOW_S + 42 * 60),
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
      locale: "de",
    };
    for (const [k, v] of Object.entries(meta)) {
      expectedForm[`metadata[${k}]`] = v;
      expectedForm[`payment_intent_data[metadata][${k}]`] = v;
    }
    expect(sent.form).toEqual(expectedForm);
    expect(sent.headers["idempotency-key"]).toBe(`checkout:${request.purchaseId}:1`);
    expect(sent.headers["authorization"]).toBe(`Bearer ${KEY}`);
    expect(sent.headers["stripe-version"]).toBe(Stripe.API_VERSION);
    expect(sent.headers["content-type"]).toMatch(/application\/x-www-form-urlencoded/);
    expect(result).toEqual({
      redirectUrl: "https://checkout.stripe.test/c/pay/cs_test_a1",
      providerSessionId: "cs_test_a1",
      expiresAt: new Date((NOW_S + 42 * 60) * 1000),
    });
  });

  it("clamps expires_at into Stripe's window: at least 30 min 30 s, at most 24 h minus 5 min", async () => {
    const soon = await createAndCapture(checkoutRequest({ closeAt: new Date(NOW.getTime() + 10 * 60_000) }));
    expect(soon.sent.form["expires_at"]).toBe(String(NOW_S + 30 * 60 + 30));
    // The session outlives the payment window: the caller sees it and schedules expireCheckout at closeAt.
    expect(soon.result.expiresAt.getTime()).toBeGreaterThan(NOW.getTime() + 10 * 60_000);

    const past = await createAndCapture(checkoutRequest({ closeAt: new Date(NOW.getTime() - 60_000) }));
    expect(past.sent.form["expires_at"]).toBe(String(NOW_S + 1830));

    const far = await createAndCapture(
      checkoutRequest({ closeAt: new Date(NOW.getTime() + 3 * 86_400_000) }),
    );
    expect(far.sent.form["expires_at"]).toBe(String(NOW_S + 86_400 - 300));

    const exact = await createAndCapture(
      checkoutRequest({ closeAt: new Date(NOW.getTime() + 2 * 3_600_000) }),
    );
    expect(exact.sent.form["expires_at"]).toBe(String(NOW_S + 7200));
  });

  it("sends JPY and KWD in their own minor units with a lower-case code", async () => {
    const jpy = await createAndCapture(checkoutRequest({ amount: { minor: 1500, currency: "jpy" } }));
    expect(jpy.sent.form["line_items[0][price_data][unit_amount]"]).toBe("1500");
    expect(jpy.sent.form["line_items[0][price_data][currency]"]).toBe("jpy");
    const kwd = await createAndCapture(checkoutRequest({ amount: { minor: 12340, currency: "KWD" } }));
    expect(kwd.sent.form["line_items[0][price_data][unit_amount]"]).toBe("12340");
    expect(kwd.sent.form["line_items[0][price_data][currency]"]).toBe("kwd");
  });

  it("leaves out a missing userId and an unsupported locale, maps supported ones", async () => {
    const anonymous = await createAndCapture(checkoutRequest({ userId: null, locale: "xx-YY" }));
    expect(Object.keys(anonymous.sent.form).filter((k) => k.includes("userId"))).toEqual([]);
    expect(anonymous.sent.form["locale"]).toBeUndefined();
    expect((await createAndCapture(checkoutRequest({ locale: "pt_br" }))).sent.form["locale"]).toBe("pt-BR");
    expect((await createAndCapture(checkoutRequest({ locale: "en-US" }))).sent.form["locale"]).toBe("en");
    expect((await createAndCapture(checkoutRequest({ locale: null }))).sent.form["locale"]).toBeUndefined();
  });

  it("uses the configured payment method list", async () => {
    const wallets = makeAdapter({ paymentMethodTypes: ["card", "link"] });
    const { sent } = await createAndCapture(checkoutRequest(), wallets);
    expect(sent.form["allowed_payment_method_types[0]"]).toBe("card");
    expect(sent.form["allowed_payment_method_types[1]"]).toBe("link");
  });

  it("refuses bad input before any request leaves", async () => {
    const key = { idempotencyKey: "checkout:p:1" };
    const cases: Array<[Partial<CheckoutRequest>, RegExp]> = [
      [{ amount: { minor: 25.5, currency: "EUR" } }, /whole number of minor units/],
      [{ amount: { minor: 0, currency: "EUR" } }, /positive/],
      [{ amount: { minor: 100, currency: "EURO" } }, /three-letter/],
      [{ description: " " }, /description is empty/],
      [{ purchaseId: "" }, /purchaseId is empty/],
    ];
    for (const [overrides, message] of cases) {
      const error = await expectProviderError(adapter.createCheckout(checkoutRequest(overrides), key));
      expect(error.code).toBe("INVALID_INPUT");
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(message);
    }
    const missingKey = await expectProviderError(
      adapter.createCheckout(checkoutRequest(), { idempotencyKey: "" }),
    );
    expect(missingKey.message).toMatch(/idempotency key/);
    const eurOnly = makeAdapter({ currencies: ["eur"] });
    const usd = await expectProviderError(
      eurOnly.createCheckout(checkoutRequest({ amount: { minor: 100, currency: "USD" } }), key),
    );
    expect(usd.message).toMatch(/USD .* not among the configured currencies \(EUR\)/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("expireCheckout", () => {
  it("expires an open session with our idempotency key", async () => {
    fake.expect("POST", "/v1/checkout/sessions/cs_test_a1/expire", {
      body: { id: "cs_test_a1", object: "checkout.session", status: "expired", payment_status: "unpaid" },
    });
    await expect(adapter.expireCheckout("cs_test_a1", { idempotencyKey: "expire:cs_test_a1" })).resolves.toBe(
      "expired",
    );
    expect(fake.requests[0]?.headers["idempotency-key"]).toBe("expire:cs_test_a1");
    expect(fake.requests[0]?.form).toEqual({});
  });

  it.each([
    ["already_complete when the shopper paid first", "complete", "paid", "already_complete"],
    ["expired when the session had already expired", "expired", "unpaid", "expired"],
  ])("answers %s", async (_name, status, paymentStatus, answer) => {
    fake.expect("POST", "/v1/checkout/sessions/cs_test_a1/expire", {
      status: 400,
      body: { error: { type: "invalid_request_error", message: "This Checkout Session is not open." } },
    });
    fake.expect("GET", "/v1/checkout/sessions/cs_test_a1", {
      body: { id: "cs_test_a1", object: "checkout.session", status, payment_status: paymentStatus },
    });
    await expect(adapter.expireCheckout("cs_test_a1", { idempotencyKey: "expire:cs_test_a1" })).resolves.toBe(
      answer,
    );
  });

  it("passes on a refusal it cannot explain", async () => {
    fake.expect("POST", "/v1/checkout/sessions/cs_test_a1/expire", {
      status: 400,
      body: { error: { type: "invalid_request_error", message: "Something else." } },
    });
    fake.expect("GET", "/v1/checkout/sessions/cs_test_a1", {
      body: { id: "cs_test_a1", object: "checkout.session", status: "open", payment_status: "unpaid" },
    });
    const error = await expectProviderError(
      adapter.expireCheckout("cs_test_a1", { idempotencyKey: "expire:cs_test_a1" }),
    );
    expect(error).toMatchObject({ code: "PROVIDER_REJECTED", retryable: false, statusCode: 400 });
  });
});

describe("getPayment", () => {
  const session = (overrides: Record<string, unknown>) => ({
    body: {
      id: "cs_test_a1",
      object: "checkout.session",
      status: "complete",
      payment_status: "paid",
      amount_total: 2500,
      currency: "eur",
      client_reference_id: "p-1",
      livemode: false,
      metadata: { purchaseId: "p-1", kit: "epg" },
      payment_intent: {
        id: "pi_1",
        object: "payment_intent",
        latest_charge: { id: "ch_1", refunded: false },
      },
      ...overrides,
    },
  });

  it("re-reads a session with its payment intent expanded and applies the decision rule", async () => {
    fake.expect("GET", "/v1/checkout/sessions/cs_test_a1", session({}));
    await expect(adapter.getPayment({ providerSessionId: "cs_test_a1" })).resolves.toEqual({
      signal: "paid",
      amount: { minor: 2500, currency: "EUR" },
      purchaseId: "p-1",
      providerPaymentId: "pi_1",
      providerSessionId: "cs_test_a1",
      live: false,
      providerStatus: "complete/paid",
      foreign: false,
      deploymentId: null,
      mode: null,
    });
    expect(fake.requests[0]?.query).toEqual({ "expand[0]": "payment_intent.latest_charge" });
  });

  it("maps unpaid, open, expired and refunded sessions", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ payment_status: "unpaid", payment_intent: null }, "pending"],
      [{ status: "open", payment_status: "unpaid", payment_intent: null }, "pending"],
      [{ status: "expired", payment_status: "unpaid", payment_intent: null }, "expired"],
      [{ payment_intent: { id: "pi_1", latest_charge: { id: "ch_1", refunded: true } } }, "refunded"],
      [{ payment_status: "no_payment_required", amount_total: 0 }, "pending"],
    ];
    for (const [overrides, signal] of cases) {
      fake.expect("GET", "/v1/checkout/sessions/cs_test_a1", session(overrides));
      const state = await adapter.getPayment({ providerSessionId: "cs_test_a1" });
      expect(state.signal, JSON.stringify(overrides)).toBe(signal);
    }
  });

  it("re-reads a payment intent by id: amount_received in minor units, upper-case currency", async () => {
    fake.expect("GET", "/v1/payment_intents/pi_1", {
      body: {
        id: "pi_1",
        object: "payment_intent",
        status: "succeeded",
        amount: 12340,
        amount_received: 12340,
        currency: "kwd",
        livemode: false,
        metadata: { purchaseId: "p-1", kit: "epg" },
        latest_charge: { id: "ch_1", refunded: false },
      },
    });
    fake.expect("GET", "/v1/checkout/sessions", {
      body: { object: "list", data: [{ id: "cs_test_a1", object: "checkout.session" }], has_more: false },
    });
    await expect(adapter.getPayment({ providerPaymentId: "pi_1" })).resolves.toMatchObject({
      signal: "paid",
      amount: { minor: 12340, currency: "KWD" },
      purchaseId: "p-1",
      providerPaymentId: "pi_1",
      // The page it was paid through, so the decision does not depend on which event came first.
      providerSessionId: "cs_test_a1",
    });
    expect(fake.requests[0]?.query).toEqual({ "expand[0]": "latest_charge" });
    expect(fake.requests[1]?.query).toEqual({ payment_intent: "pi_1", limit: "1" });
  });

  it("refuses a call with no reference or a path-like id", async () => {
    expect((await expectProviderError(adapter.getPayment({}))).code).toBe("INVALID_INPUT");
    expect((await expectProviderError(adapter.getPayment({ providerSessionId: "../v1/refunds" }))).code).toBe(
      "INVALID_INPUT",
    );
  });
});

describe("refund", () => {
  const refundReply = (status: string) => ({
    body: { id: "re_1", object: "refund", status, amount: 2500, currency: "eur", payment_intent: "pi_1" },
  });

  it("refunds the payment intent with our key, the kit's reason in metadata", async () => {
    fake.expect("POST", "/v1/refunds", refundReply("pending"));
    const result = await adapter.refund(...refundOf("deadline_passed"));
    expect(result).toEqual({ refundId: "re_1", status: "pending", providerStatus: "pending" });
    expect(fake.requests[0]?.form).toEqual({
      payment_intent: "pi_1",
      amount: "2500",
      "metadata[refundReason]": "deadline_passed",
      "metadata[purchaseId]": "p-1",
      "metadata[kit]": "epg",
    });
    expect(fake.requests[0]?.headers["idempotency-key"]).toBe("refund:pi_1:deadline_passed");
  });

  it("sets Stripe's own reason only for a duplicate payment", async () => {
    fake.expect("POST", "/v1/refunds", refundReply("succeeded"));
    const result = await adapter.refund(
      ...refundOf("duplicate_payment", {
        providerPaymentId: "pi_2",
        amount: { minor: 1500, currency: "JPY" },
      }),
    );
    expect(result.status).toBe("succeeded");
    expect(fake.requests[0]?.form["reason"]).toBe("duplicate");
    expect(fake.requests[0]?.form["amount"]).toBe("1500");
  });

  it("maps failed, canceled and requires_action to failed", async () => {
    for (const status of ["failed", "canceled", "requires_action"]) {
      fake.expect("POST", "/v1/refunds", refundReply(status));
      const result = await adapter.refund(...refundOf("amount_mismatch"));
      expect(result).toMatchObject({ status: "failed", providerStatus: status });
    }
  });

  it("retries a 500 with the same idempotency key and returns the one refund", async () => {
    const retrying = makeAdapter({ maxNetworkRetries: 1 });
    fake.expect("POST", "/v1/refunds", {
      status: 500,
      body: { error: { type: "api_error", message: "boom" } },
    });
    fake.expect("POST", "/v1/refunds", refundReply("succeeded"));
    const result = await retrying.refund(...refundOf("finalize_rejected"));
    expect(result.refundId).toBe("re_1");
    expect(fake.requests.map((r) => r.headers["idempotency-key"])).toEqual([
      "refund:pi_1:finalize_rejected",
      "refund:pi_1:finalize_rejected",
    ]);
  });
});

describe("errors", () => {
  const [request, key] = refundOf("deadline_passed");

  it("marks 5xx, 429 and 409 retryable, other 4xx not, 401 as an auth problem", async () => {
    const cases: Array<[number, string, boolean, string]> = [
      [500, "api_error", true, "PROVIDER_UNAVAILABLE"],
      [429, "rate_limit_error", true, "PROVIDER_UNAVAILABLE"],
      [409, "idempotency_error", true, "PROVIDER_UNAVAILABLE"],
      [400, "invalid_request_error", false, "PROVIDER_REJECTED"],
      [404, "invalid_request_error", false, "PROVIDER_REJECTED"],
      [401, "invalid_request_error", false, "PROVIDER_AUTH"],
    ];
    for (const [status, type, retryable, code] of cases) {
      fake.expect("POST", "/v1/refunds", {
        status,
        body: { error: { type, code: `code_${status}`, message: `status ${status}` } },
        headers: { "stripe-should-retry": "false" },
      });
      const error = await expectProviderError(adapter.refund(request, key));
      expect(error, String(status)).toMatchObject({
        retryable,
        code,
        statusCode: status,
        providerCode: `code_${status}`,
      });
      expect(error.message).not.toContain(KEY);
    }
  });

  it("reports connection refused as retryable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = makeAdapter({ apiBase: `http://127.0.0.1:${port}` });
    const error = await expectProviderError(unreachable.refund(request, key));
    expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", retryable: true, statusCode: undefined });
  });
});

describe("configuration", () => {
  it("lists every problem at once", () => {
    try {
      createStripeAdapter({
        secretKey: "",
        webhookSecrets: [" "],
        apiBase: "ftp://example",
        maxNetworkRetries: -1,
        toleranceSeconds: 0,
        paymentMethodTypes: [],
        currencies: ["euro"],
      });
      throw new Error("expected a configuration error");
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderConfigError);
      const problems = (error as ProviderConfigError).problems;
      expect(problems).toHaveLength(7);
      expect(problems.join("\n")).toMatch(/STRIPE_SECRET_KEY/);
      expect(problems.join("\n")).toMatch(/STRIPE_WEBHOOK_SECRETS/);
      expect(problems.join("\n")).toMatch(/STRIPE_API_BASE/);
    }
  });

  it("refuses an API base with a path", () => {
    expect(() =>
      createStripeAdapter({ secretKey: KEY, webhookSecrets: ["whsec_x"], apiBase: "http://127.0.0.1:1/v1" }),
    ).toThrow(/origin only/);
  });

  it("derives the expected mode from the key", () => {
    expect(createStripeAdapter({ secretKey: "sk_test_1", webhookSecrets: ["w"] }).livemode).toBe(false);
    expect(createStripeAdapter({ secretKey: "rk_live_1", webhookSecrets: ["w"] }).livemode).toBe(true);
    expect(createStripeAdapter({ secretKey: "sandbox", webhookSecrets: ["w"] }).livemode).toBeNull();
    expect(
      createStripeAdapter({ secretKey: "sk_test_1", webhookSecrets: ["w"], livemode: true }).livemode,
    ).toBe(true);
  });
});

describe("the fake Stripe API", () => {
  it("reports a request no test announced", async () => {
    await expectProviderError(adapter.getPayment({ providerPaymentId: "pi_surprise" }));
    expect(() => fake.assertDone()).toThrow(/unexpected request GET \/v1\/payment_intents\/pi_surprise/);
    fake.unexpected.length = 0;
  });

  it("reports an announced request that never came", () => {
    fake.expect("POST", "/v1/refunds", { body: {} });
    expect(() => fake.assertDone()).toThrow(/never came: POST \/v1\/refunds/);
    // Consume it so the shared afterEach check stays meaningful for the other tests.
    return adapter
      .refund(
        {
          providerPaymentId: "pi_1",
          amount: { minor: 1, currency: "EUR" },
          reason: "deadline_passed",
          purchaseId: "p",
        },
        { idempotencyKey: "refund:pi_1:deadline_passed" },
      )
      .catch(() => undefined);
  });
});

describe("listMissedEvents", () => {
  const event = (id: string, created: number, livemode = false) => ({
    id,
    object: "event",
    type: "checkout.session.completed",
    created,
    livemode,
    data: {
      object: {
        id: `cs_${id}`,
        object: "checkout.session",
        status: "complete",
        payment_status: "paid",
        amount_total: 2500,
        currency: "eur",
        client_reference_id: "p-1",
        payment_intent: `pi_${id}`,
        metadata: { purchaseId: "p-1", kit: "epg" },
      },
    },
  });

  it("pages through undelivered events since a time and returns them oldest first, mapped", async () => {
    const since = new Date((NOW_S - 3600) * 1000);
    fake.expect("GET", "/v1/events", {
      body: {
        object: "list",
        data: [event("evt_3", NOW_S - 10), event("evt_live", NOW_S - 20, true), event("evt_2", NOW_S - 30)],
        has_more: true,
      },
    });
    fake.expect("GET", "/v1/events", {
      body: { object: "list", data: [event("evt_1", NOW_S - 40)], has_more: false },
    });
    const events = await adapter.listMissedEvents!({ since });
    expect(events.map((e) => [e.dedupeKey, e.signal, e.providerPaymentId])).toEqual([
      ["evt_1", "paid", "pi_evt_1"],
      ["evt_2", "paid", "pi_evt_2"],
      ["evt_3", "paid", "pi_evt_3"],
    ]);
    expect(fake.requests[0]?.query).toEqual({
      delivery_success: "false",
      "created[gte]": String(NOW_S - 3600),
      limit: "100",
    });
    expect(fake.requests[1]?.query).toEqual({
      delivery_success: "false",
      "created[gte]": String(NOW_S - 3600),
      limit: "100",
      starting_after: "evt_2",
    });
  });

  it("stops at the budget", async () => {
    fake.expect("GET", "/v1/events", {
      body: {
        object: "list",
        data: [event("evt_2", NOW_S - 10), event("evt_1", NOW_S - 20)],
        has_more: true,
      },
    });
    const events = await adapter.listMissedEvents!({ since: new Date((NOW_S - 60) * 1000), max: 2 });
    expect(events.map((e) => e.dedupeKey)).toEqual(["evt_1", "evt_2"]);
    expect(fake.requests[0]?.query["limit"]).toBe("2");
  });
});
