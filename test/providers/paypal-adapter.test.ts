// The PayPal adapter's outbound calls against the stand-in over HTTP (what crosses the wire:
// PayPal-Request-Id on every POST, the order body, capture once, refunds full and partial, errors
// mapped), its event mapping, and its configuration from the environment.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../confirmation-endpoint/providers/errors";
import { createPayPalAdapter } from "../../confirmation-endpoint/providers/paypal/adapter";
import type { PayPalAdapter } from "../../confirmation-endpoint/providers/paypal/adapter";
import { mapPayPalEvent } from "../../confirmation-endpoint/providers/paypal/events";
import { paypalProvider } from "../../confirmation-endpoint/providers/paypal/plugin";
import type { CheckoutRequest } from "../../confirmation-endpoint/providers/types";
import { startPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";
import type { RunningPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";

const CREDENTIALS = { clientId: "stand-in-client", clientSecret: "stand-in-only" };
let standIn: RunningPayPalStandIn;
let paypal: PayPalAdapter;

beforeAll(async () => {
  standIn = await startPayPalStandIn({ ...CREDENTIALS, webhookId: "WH1" });
  paypal = createPayPalAdapter({
    ...CREDENTIALS,
    webhookId: "WH1",
    environment: "sandbox",
    apiBase: standIn.url,
  });
});
afterAll(async () => standIn.stop());

const request = (minor: number, currency = "EUR"): CheckoutRequest => ({
  purchaseId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  readableEventId: "Paid_Event1",
  userId: null,
  mode: "outbound",
  amount: { minor, currency },
  description: "Paid event: 2 passes",
  locale: "en-US",
  successUrl: "https://portal.test/pay/?r=success",
  cancelUrl: "https://portal.test/pay/?r=cancel",
  closeAt: new Date("2026-11-26T10:40:00Z"),
});

async function approvedOrder(minor = 2500, currency = "EUR", key = `checkout:${Math.random()}`) {
  const session = await paypal.createCheckout(request(minor, currency), { idempotencyKey: key });
  await fetch(`${standIn.url}/checkoutnow/approve`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `token=${session.providerSessionId}`,
    redirect: "manual",
  });
  return session.providerSessionId;
}

describe("PayPal adapter against the stand-in", () => {
  it("creates the order from minor units with the purchase, this deployment and the return URLs", async () => {
    const session = await paypal.createCheckout(request(150000, "HUF"), { idempotencyKey: "checkout:p:1" });
    const order = standIn.orders.get(session.providerSessionId)!;
    expect(order).toMatchObject({
      amount: { currency_code: "HUF", value: "1500" },
      custom_id: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
      invoice_id: "epg:checkout:p:1",
      return_url: "https://portal.test/pay/?r=success",
      cancel_url: "https://portal.test/pay/?r=cancel",
    });
    expect(session.redirectUrl).toBe(`${standIn.url}/checkoutnow?token=${order.id}`);
    expect(standIn.requests.at(-1)).toEqual({ path: "/v2/checkout/orders", requestId: "checkout:p:1" });
    const again = await paypal.createCheckout(request(150000, "HUF"), { idempotencyKey: "checkout:p:1" });
    expect(again.providerSessionId).toBe(session.providerSessionId);
  });

  it("refuses before sending an amount PayPal cannot express, or a missing request id", async () => {
    const before = standIn.requests.length;
    await expect(
      paypal.createCheckout(request(150050, "HUF"), { idempotencyKey: "k" }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    await expect(paypal.createCheckout(request(2500), { idempotencyKey: "" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    expect(standIn.requests.length).toBe(before);
  });

  it("reads pending → approved → paid, and captures exactly once however often it is asked", async () => {
    const session = await paypal.createCheckout(request(2500), { idempotencyKey: "checkout:c:1" });
    const id = session.providerSessionId;
    expect((await paypal.getPayment({ providerSessionId: id })).signal).toBe("pending");
    await fetch(`${standIn.url}/checkoutnow/approve`, {
      method: "POST",
      body: new URLSearchParams({ token: id }),
      redirect: "manual",
    });
    expect(await paypal.getPayment({ providerPaymentId: id })).toMatchObject({
      signal: "approved",
      amount: { minor: 2500, currency: "EUR" },
      purchaseId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    });
    const captures = standIn.captureCount();
    const first = await paypal.capture({ providerPaymentId: id }, { idempotencyKey: `capture:${id}` });
    const second = await paypal.capture({ providerPaymentId: id }, { idempotencyKey: `capture:${id}` });
    const third = await paypal.capture(
      { providerPaymentId: id },
      { idempotencyKey: "capture:other-instance" },
    );
    expect([first.signal, second.signal, third.signal]).toEqual(["paid", "paid", "paid"]);
    expect(standIn.captureCount()).toBe(captures + 1);
  });
});

describe("PayPal adapter against the stand-in: declines and refunds", () => {
  it("answers a declined capture as failed, with PayPal's reason", async () => {
    const id = await approvedOrder();
    standIn.faults.declineCapture = true;
    try {
      const state = await paypal.capture({ providerPaymentId: id }, { idempotencyKey: `capture:${id}` });
      expect([state.signal, state.providerStatus]).toEqual(["failed", "INSTRUMENT_DECLINED"]);
    } finally {
      standIn.faults.declineCapture = false;
    }
  });

  it("refunds part of the capture, then the rest, each under its own request id", async () => {
    const id = await approvedOrder(1000);
    await paypal.capture({ providerPaymentId: id }, { idempotencyKey: `capture:${id}` });
    const refund = (minor: number, key: string) =>
      paypal.refund(
        {
          providerPaymentId: id,
          amount: { minor, currency: "EUR" },
          reason: "deadline_passed",
          purchaseId: "p",
        },
        { idempotencyKey: key },
      );
    expect(await refund(400, `refund:${id}:a`)).toMatchObject({ status: "succeeded" });
    expect((await paypal.getPayment({ providerPaymentId: id })).signal).toBe("paid"); // partially refunded
    expect(await refund(600, `refund:${id}:b`)).toMatchObject({ status: "succeeded" });
    expect((await paypal.getPayment({ providerPaymentId: id })).signal).toBe("refunded");
    expect(standIn.requests.filter((r) => r.path.endsWith("/refund")).map((r) => r.requestId)).toEqual([
      `refund:${id}:a`,
      `refund:${id}:b`,
    ]);
    await expect(refund(1, `refund:${id}:c`)).rejects.toMatchObject({
      code: "INVALID_INPUT", // no completed capture left to refund
    });
  });

  it("maps a refund PayPal refuses to a non-retryable ProviderError with PayPal's issue", async () => {
    const id = await approvedOrder();
    await paypal.capture({ providerPaymentId: id }, { idempotencyKey: `capture:${id}` });
    standIn.faults.refuseRefunds = true;
    try {
      const error = await paypal
        .refund(
          {
            providerPaymentId: id,
            amount: { minor: 2500, currency: "EUR" },
            reason: "deadline_passed",
            purchaseId: "p",
          },
          { idempotencyKey: `refund:${id}` },
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        code: "PROVIDER_REJECTED",
        statusCode: 422,
        providerCode: "REFUND_FAILED_INSUFFICIENT_FUNDS",
        retryable: false,
      });
    } finally {
      standIn.faults.refuseRefunds = false;
    }
  });

  it("maps a wrong secret to PROVIDER_AUTH", async () => {
    const wrong = createPayPalAdapter({
      ...CREDENTIALS,
      clientSecret: "wrong",
      webhookId: "WH1",
      environment: "sandbox",
      apiBase: standIn.url,
    });
    await expect(wrong.getPayment({ providerPaymentId: "ABC" })).rejects.toMatchObject({
      code: "PROVIDER_AUTH",
    });
  });
});

describe("PayPal event mapping", () => {
  const options = { deploymentId: "epg", live: false };
  const envelope = (eventType: string, resource: Record<string, unknown>) => ({
    id: "WH-1",
    eventType,
    createTime: new Date("2026-11-26T10:00:00Z"),
    resource,
  });
  const capture = (status: string, invoice = "epg:checkout:x:1") => ({
    id: "CAP1",
    status,
    amount: { currency_code: "EUR", value: "25.00" },
    custom_id: "purchase-1",
    invoice_id: invoice,
    supplementary_data: { related_ids: { order_id: "ORDER1" } },
  });

  it.each([
    ["PAYMENT.CAPTURE.COMPLETED", "COMPLETED", "paid"],
    ["PAYMENT.CAPTURE.PENDING", "PENDING", "pending"],
    ["PAYMENT.CAPTURE.DENIED", "DECLINED", "failed"],
  ])("%s → %s on the order", (type, status, signal) => {
    expect(mapPayPalEvent(envelope(type, capture(status)), options)).toMatchObject({
      signal,
      purchaseId: "purchase-1",
      providerPaymentId: "ORDER1",
      providerSessionId: "ORDER1",
      amount: { minor: 2500, currency: "EUR" },
    });
  });

  it("ignores another integration's capture and unknown event types", () => {
    expect(
      mapPayPalEvent(envelope("PAYMENT.CAPTURE.COMPLETED", capture("COMPLETED", "shop:1")), options).signal,
    ).toBe("ignored");
    expect(mapPayPalEvent(envelope("CUSTOMER.DISPUTE.CREATED", {}), options).signal).toBe("ignored");
  });

  it("maps a refund to the order through related ids or the kit's custom_id", () => {
    const refund = {
      id: "REF1",
      status: "COMPLETED",
      amount: { currency_code: "EUR", value: "4.00" },
      custom_id: "ORDER9",
    };
    expect(mapPayPalEvent(envelope("PAYMENT.CAPTURE.REFUNDED", refund), options)).toMatchObject({
      signal: "refunded",
      providerPaymentId: "ORDER9",
      providerRefundId: "REF1",
    });
  });

  it("reads an order with a three-decimal amount in EUR as having no amount", () => {
    const order = {
      id: "ORDER2",
      status: "APPROVED",
      purchase_units: [
        { amount: { currency_code: "EUR", value: "25.001" }, custom_id: "p", invoice_id: "epg:checkout:p:1" },
      ],
    };
    expect(mapPayPalEvent(envelope("CHECKOUT.ORDER.APPROVED", order), options)).toMatchObject({
      signal: "approved",
      amount: null,
    });
  });
});

describe("PayPal configuration", () => {
  const env = {
    PAYPAL_CLIENT_ID: "id",
    PAYPAL_CLIENT_SECRET: "secret",
    PAYPAL_WEBHOOK_ID: "WH123",
    PAYPAL_ENVIRONMENT: "live",
  };

  it("reads the four variables, local verification by default, no stand-in origins", () => {
    expect(paypalProvider.readEnv(env, true)).toEqual({
      config: expect.objectContaining({
        environment: "live",
        verification: "local",
        apiBase: null,
        certOrigins: [],
      }),
    });
    expect(paypalProvider.readEnv({}, false)).toBeNull();
  });

  it("reports every problem at once, naming variables and never values", () => {
    const result = paypalProvider.readEnv(
      {
        PAYPAL_WEBHOOK_ID: "WH-bad id",
        PAYPAL_ENVIRONMENT: "prod",
        PAYPAL_CERT_ORIGINS: "http://evil.example",
      },
      true,
    );
    const problems = (result as { problems: string[] }).problems;
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "PAYPAL_CLIENT_ID",
      "PAYPAL_CLIENT_SECRET",
      "PAYPAL_WEBHOOK_ID",
      "PAYPAL_ENVIRONMENT",
      "PAYPAL_CERT_ORIGINS",
    ]);
    expect(problems.join(" ")).not.toContain("evil.example");
  });
});
