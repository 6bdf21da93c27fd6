// The official SDK (@paypal/paypal-server-sdk) against the PayPal stand-in over real HTTP on
// 127.0.0.1, with nothing changed but the origin: OAuth, create, show, approve, capture (once per
// PayPal-Request-Id), refunds (partial, full, too much), its errors, and the signing certificate.

import { X509Certificate } from "node:crypto";
import { ApiError } from "@paypal/paypal-server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPayPalClient } from "../../confirmation-endpoint/providers/paypal/client";
import type { PayPalClient } from "../../confirmation-endpoint/providers/paypal/client";
import { startPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";
import type { RunningPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";

const CREDENTIALS = { clientId: "stand-in-client", clientSecret: "stand-in-only" };
let standIn: RunningPayPalStandIn;
let client: PayPalClient;

function sdk(secret = CREDENTIALS.clientSecret): PayPalClient {
  return createPayPalClient({
    clientId: CREDENTIALS.clientId,
    clientSecret: secret,
    environment: "sandbox",
    apiBase: standIn.url,
    timeoutMs: 5000,
    maxRetries: 0,
  });
}

beforeEach(async () => {
  standIn = await startPayPalStandIn({ ...CREDENTIALS, webhookId: "WHSTANDIN1" });
  client = sdk();
});
afterEach(async () => standIn.stop());

async function createOrder(value = "25.00", requestId = "checkout:1") {
  const { result, statusCode } = await client.orders.createOrder({
    paypalRequestId: requestId,
    body: {
      intent: "CAPTURE" as never,
      purchaseUnits: [
        { amount: { currencyCode: "EUR", value }, customId: "purchase-1", invoiceId: "epg:checkout:1" },
      ],
      paymentSource: {
        paypal: {
          experienceContext: {
            returnUrl: "https://portal.test/pay/",
            cancelUrl: "https://portal.test/pay/?cancel=1",
          },
        },
      },
    },
  });
  return { order: result, statusCode };
}

async function approve(orderId: string): Promise<Response> {
  return fetch(`${standIn.url}/checkoutnow/approve`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `token=${orderId}`,
    redirect: "manual",
  });
}

describe("the official PayPal SDK against the stand-in", () => {
  it("creates an order with a payer-action link and reads it back", async () => {
    const { order, statusCode } = await createOrder();
    expect(statusCode).toBe(201);
    expect(order.status).toBe("PAYER_ACTION_REQUIRED");
    const link = order.links?.find((l) => l.rel === "payer-action");
    expect(link?.href).toBe(`${standIn.url}/checkoutnow?token=${order.id}`);
    const { result } = await client.orders.getOrder({ id: order.id! });
    expect(result.purchaseUnits?.[0]?.customId).toBe("purchase-1");
    expect(result.purchaseUnits?.[0]?.amount?.value).toBe("25.00");
    expect(standIn.requests.at(-1)).toEqual({ path: "/v2/checkout/orders", requestId: "checkout:1" });
  });

  it("refuses a capture before approval, then captures once per PayPal-Request-Id", async () => {
    const { order } = await createOrder();
    const early = await client.orders
      .captureOrder({ id: order.id!, paypalRequestId: "capture:x" })
      .catch((e) => e);
    expect(early).toBeInstanceOf(ApiError);
    expect([(early as ApiError).statusCode, String((early as ApiError).body)]).toEqual([
      422,
      expect.stringContaining("ORDER_NOT_APPROVED"),
    ]);
    const back = await approve(order.id!);
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toMatch(
      new RegExp(`^https://portal.test/pay/\\?token=${order.id}&PayerID=`),
    );
    const first = await client.orders.captureOrder({ id: order.id!, paypalRequestId: `capture:${order.id}` });
    const again = await client.orders.captureOrder({ id: order.id!, paypalRequestId: `capture:${order.id}` });
    const captureOf = (o: typeof first.result) => o.purchaseUnits?.[0]?.payments?.captures?.[0];
    expect(first.result.status).toBe("COMPLETED");
    expect(captureOf(first.result)?.status).toBe("COMPLETED");
    expect(captureOf(again.result)?.id).toBe(captureOf(first.result)?.id);
    expect(standIn.captureCount()).toBe(1);
    const other = await client.orders
      .captureOrder({ id: order.id!, paypalRequestId: "capture:other" })
      .catch((e) => e);
    expect(String((other as ApiError).body)).toContain("ORDER_ALREADY_CAPTURED");
  });

  it("refunds part of a capture, then the rest, and refuses more", async () => {
    const { order } = await createOrder("10.00");
    await approve(order.id!);
    const { result } = await client.orders.captureOrder({ id: order.id!, paypalRequestId: "capture:r" });
    const captureId = result.purchaseUnits![0]!.payments!.captures![0]!.id!;
    const refund = (value: string, id: string) =>
      client.payments.refundCapturedPayment({
        captureId,
        paypalRequestId: id,
        body: { amount: { currencyCode: "EUR", value } },
      });
    expect((await refund("4.00", "refund:1")).result.status).toBe("COMPLETED");
    expect((await refund("6.00", "refund:2")).result.status).toBe("COMPLETED");
    const tooMuch = await refund("0.01", "refund:3").catch((e) => e);
    expect(String((tooMuch as ApiError).body)).toContain("REFUND_AMOUNT_EXCEEDED");
    expect(standIn.orders.get(order.id!)?.capture?.status).toBe("REFUNDED");
  });

  it("answers 401 to a wrong client secret and refuses an amount with three decimals", async () => {
    const wrong = await sdk("not-the-secret")
      .orders.getOrder({ id: "ANY" })
      .catch((e) => e);
    expect(wrong).toBeInstanceOf(Error);
    expect(standIn.orders.size).toBe(0);
    const bad = await createOrder("25.001").catch((e) => e);
    expect(String((bad as ApiError).body)).toContain("DECIMAL_PRECISION");
  });

  it("serves its throwaway signing certificate", async () => {
    const pem = await (await fetch(standIn.certUrl())).text();
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe("CN=paypal-stand-in.invalid");
    expect(cert.publicKey.asymmetricKeyType).toBe("rsa");
  });

  it("takes items with a matching item_total, shows them on the approval page, refuses a mismatch (issue #20, item 3)", async () => {
    const unit = (items: Array<[string, string, string]>, itemTotal: string, value = "25.00") => ({
      intent: "CAPTURE" as never,
      purchaseUnits: [
        {
          amount: {
            currencyCode: "EUR",
            value,
            breakdown: { itemTotal: { currencyCode: "EUR", value: itemTotal } },
          },
          items: items.map(([name, quantity, v]) => ({
            name,
            quantity,
            unitAmount: { currencyCode: "EUR", value: v },
          })),
        },
      ],
    });
    const { result } = await client.orders.createOrder({
      paypalRequestId: "lines:1",
      body: unit(
        [
          ["Summit: Full conference", "2", "10.00"],
          ["Summit: Day ticket", "1", "5.00"],
        ],
        "25.00",
      ),
    });
    expect(result.purchaseUnits?.[0]?.items?.map((i) => [i.name, i.quantity, i.unitAmount.value])).toEqual([
      ["Summit: Full conference", "2", "10.00"],
      ["Summit: Day ticket", "1", "5.00"],
    ]);
    const page = await (await fetch(`${standIn.url}/checkoutnow?token=${result.id}`)).text();
    expect(page).toContain("<td>Summit: Full conference</td><td>2</td><td>10.00 EUR</td>");
    const mismatch = client.orders.createOrder({
      paypalRequestId: "lines:2",
      body: unit([["Summit: Full conference", "2", "10.00"]], "25.00"),
    });
    await expect(mismatch).rejects.toBeInstanceOf(ApiError);
    await expect(mismatch).rejects.toMatchObject({
      statusCode: 422,
      body: expect.stringContaining("ITEM_TOTAL_MISMATCH"),
    });
  });
});
