// PayPal webhook verification, signed by the stand-in's throwaway key exactly as PayPal signs:
// the local check (default) and the API check each accept a good webhook and refuse every kind of
// bad one; a certificate URL off PayPal's hosts is never fetched, and a good one is fetched once.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookVerificationError } from "../../confirmation-endpoint/providers/errors";
import { createPayPalAdapter } from "../../confirmation-endpoint/providers/paypal/adapter";
import type { PayPalAdapterConfig } from "../../confirmation-endpoint/providers/paypal/adapter";
import { isAllowedCertUrl } from "../../confirmation-endpoint/providers/paypal/cert-source";
import { createPayPalStandIn } from "../../sandbox/paypal/create-paypal-stand-in";
import { startPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";
import type { RunningPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";

const NOW = new Date("2026-11-26T10:05:00.000Z");
const WEBHOOK_ID = "WHLOCAL1";
const CREDENTIALS = { clientId: "stand-in-client", clientSecret: "stand-in-only" };
const standIn = createPayPalStandIn({ ...CREDENTIALS, webhookId: WEBHOOK_ID, now: () => NOW });
const fetched: string[] = [];
const inProcessFetch = async (url: string, init?: RequestInit) => {
  fetched.push(url);
  return standIn.handler(new Request(url, init));
};

function adapter(extra: Partial<PayPalAdapterConfig> = {}) {
  return createPayPalAdapter({
    ...CREDENTIALS,
    webhookId: WEBHOOK_ID,
    environment: "sandbox",
    certOrigins: ["http://127.0.0.1"],
    fetch: inProcessFetch,
    ...extra,
  });
}

function approvedEventBody(orderId = "5O190127TN364715T", purchaseId = "purchase-1"): string {
  return JSON.stringify({
    id: `WH-${orderId}`,
    event_type: "CHECKOUT.ORDER.APPROVED",
    resource_type: "checkout-order",
    create_time: NOW.toISOString(),
    resource: {
      id: orderId,
      status: "APPROVED",
      purchase_units: [
        {
          amount: { currency_code: "EUR", value: "25.00" },
          custom_id: purchaseId,
          invoice_id: `epg:checkout:${purchaseId}:1`,
        },
      ],
    },
  });
}

function input(signed: { headers: Record<string, string>; body: string }, at = NOW) {
  return { headers: new Headers(signed.headers), body: Buffer.from(signed.body), receivedAt: at };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return (error as WebhookVerificationError).code;
}

describe("PayPal webhook verification, local check", () => {
  it("accepts a signed event and maps it; fetches the certificate once for many webhooks", async () => {
    fetched.length = 0;
    const paypal = adapter();
    const events = await paypal.verifyAndParse(input(standIn.sign(approvedEventBody())));
    expect(events).toEqual([
      expect.objectContaining({
        provider: "paypal",
        dedupeKey: "WH-5O190127TN364715T",
        signal: "approved",
        purchaseId: "purchase-1",
        providerPaymentId: "5O190127TN364715T",
        amount: { minor: 2500, currency: "EUR" },
        live: false,
      }),
    ]);
    await paypal.verifyAndParse(input(standIn.sign(approvedEventBody("OTHER1"))));
    expect(fetched).toEqual([standIn.certUrl()]);
  });

  it.each([
    "https://evil.example/cert.pem",
    "http://api.paypal.com/v1/notifications/certs/CERT-1",
    "https://paypal.com.evil.example/cert.pem",
    "https://api.paypal.com:8443/cert.pem",
    "https://user@api.paypal.com/cert.pem",
    "https://api.paypal.co/cert.pem",
    "not a url",
  ])("refuses the certificate URL %s without fetching it", async (certUrl) => {
    fetched.length = 0;
    const code = await refusal(
      adapter().verifyAndParse(input(standIn.sign(approvedEventBody(), { certUrl }))),
    );
    expect(code).toBe("BAD_SIGNATURE");
    expect(fetched).toEqual([]);
  });

  it("pins https paypal.com hosts by default; the stand-in's origin passes only when allowed", async () => {
    expect(isAllowedCertUrl("https://api.paypal.com/v1/notifications/certs/CERT-1", [])).toBe(true);
    expect(isAllowedCertUrl("https://paypal.com/c", [])).toBe(true);
    expect(isAllowedCertUrl(standIn.certUrl(), [])).toBe(false);
    fetched.length = 0;
    const strict = adapter({ certOrigins: [] });
    expect(await refusal(strict.verifyAndParse(input(standIn.sign(approvedEventBody()))))).toBe(
      "BAD_SIGNATURE",
    );
    expect(fetched).toEqual([]);
  });
});

describe("PayPal webhook verification, local check: what is refused", () => {
  it("refuses a webhook signed for another webhook id", async () => {
    const signed = standIn.sign(approvedEventBody(), { webhookId: "WHSOMEONEELSE" });
    expect(await refusal(adapter().verifyAndParse(input(signed)))).toBe("BAD_SIGNATURE");
  });

  it("refuses a body changed after signing (the CRC-32 no longer matches)", async () => {
    const signed = standIn.sign(approvedEventBody());
    const changed = { ...signed, body: signed.body.replace("25.00", "20.00") };
    expect(await refusal(adapter().verifyAndParse(input(changed)))).toBe("BAD_SIGNATURE");
  });

  it("refuses any algorithm but SHA256withRSA before fetching anything", async () => {
    fetched.length = 0;
    const signed = standIn.sign(approvedEventBody());
    const sha1 = { ...signed, headers: { ...signed.headers, "paypal-auth-algo": "SHA1withRSA" } };
    expect(await refusal(adapter().verifyAndParse(input(sha1)))).toBe("BAD_SIGNATURE");
    expect(fetched).toEqual([]);
  });

  it.each([
    [-301, "STALE_TIMESTAMP"],
    [301, "STALE_TIMESTAMP"],
  ])("refuses a transmission time %i s from our clock", async (offset, code) => {
    const signed = standIn.sign(approvedEventBody(), { time: new Date(NOW.getTime() + offset * 1000) });
    expect(await refusal(adapter().verifyAndParse(input(signed)))).toBe(code);
  });

  it("accepts 299 s of skew", async () => {
    const signed = standIn.sign(approvedEventBody(), { time: new Date(NOW.getTime() - 299_000) });
    expect(await adapter().verifyAndParse(input(signed))).toHaveLength(1);
  });

  it.each(["paypal-transmission-id", "paypal-transmission-sig", "paypal-cert-url"])(
    "refuses a webhook without %s",
    async (header) => {
      const signed = standIn.sign(approvedEventBody());
      const headers = { ...signed.headers };
      delete headers[header];
      expect(await refusal(adapter().verifyAndParse(input({ ...signed, headers })))).toBe("BAD_SIGNATURE");
    },
  );

  it("refuses a forged signature and a body that is not JSON", async () => {
    const signed = standIn.sign(approvedEventBody());
    const forged = { ...signed, headers: { ...signed.headers, "paypal-transmission-sig": "AAAA" } };
    expect(await refusal(adapter().verifyAndParse(input(forged)))).toBe("BAD_SIGNATURE");
    expect(await refusal(adapter().verifyAndParse(input(standIn.sign("not json"))))).toBe("MALFORMED");
  });
});

describe("PayPal webhook verification through the API", () => {
  let running: RunningPayPalStandIn;
  beforeAll(async () => {
    running = await startPayPalStandIn({ ...CREDENTIALS, webhookId: WEBHOOK_ID, now: () => NOW });
  });
  afterAll(async () => running.stop());
  const api = (webhookId = WEBHOOK_ID) =>
    createPayPalAdapter({
      ...CREDENTIALS,
      webhookId,
      environment: "sandbox",
      apiBase: running.url,
      verification: "api",
    });

  it("accepts what PayPal's verify-webhook-signature calls SUCCESS", async () => {
    const events = await api().verifyAndParse(input(running.sign(approvedEventBody())));
    expect(events.map((e) => e.signal)).toEqual(["approved"]);
    expect(running.requests.map((r) => r.path)).toContain("/v1/notifications/verify-webhook-signature");
  });

  it("refuses FAILURE (another webhook id), and still checks algorithm and skew itself", async () => {
    expect(await refusal(api("WHOTHER").verifyAndParse(input(running.sign(approvedEventBody()))))).toBe(
      "BAD_SIGNATURE",
    );
    const calls = running.requests.length;
    const stale = running.sign(approvedEventBody(), { time: new Date(NOW.getTime() - 400_000) });
    expect(await refusal(api().verifyAndParse(input(stale)))).toBe("STALE_TIMESTAMP");
    const signed = running.sign(approvedEventBody());
    const sha1 = { ...signed, headers: { ...signed.headers, "paypal-auth-algo": "SHA1withRSA" } };
    expect(await refusal(api().verifyAndParse(input(sha1)))).toBe("BAD_SIGNATURE");
    expect(running.requests.length).toBe(calls);
  });
});
