// The official @adyen/api-library against the Adyen stand-in, over real HTTP on 127.0.0.1 (through
// the library's transport seam): payment links, idempotency, modifications, the hosted page, and
// notification batches a receiver verifies with the library's own HMAC validator, retried until
// answered "[accepted]" and sent twice when duplicates are on.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, Config, EnvironmentEnum, hmacValidator } from "@adyen/api-library";
import {
  checkAdyenAccount,
  checkAdyenFromEnv,
} from "../../confirmation-endpoint/providers/adyen/check-account";
import { CheckoutAPI } from "@adyen/api-library/lib/src/services";
import { createRebasedTransport } from "../../confirmation-endpoint/providers/adyen/transport";
import { newHmacKey, startAdyenStandIn, type AdyenStandIn } from "../../sandbox/adyen/start-adyen-stand-in";

const API_KEY = "AQE-stand-in-key";
const MERCHANT = "ContosoEvents";
const HMAC_KEY = newHmacKey();

interface Received {
  authorization: string | undefined;
  body: { live: string; notificationItems: Array<{ NotificationRequestItem: Record<string, unknown> }> };
}

let standIn: AdyenStandIn;
let receiver: Server;
const received: Received[] = [];
let answers: string[] = [];
let now = Date.parse("2026-11-26T10:00:00Z");

function checkoutApi(apiKey = API_KEY) {
  const config = new Config({ apiKey, environment: EnvironmentEnum.TEST });
  return new CheckoutAPI(new Client(config, createRebasedTransport(standIn.apiBase)));
}

const linkRequest = (reference: string) => ({
  amount: { value: 2500, currency: "EUR" },
  merchantAccount: MERCHANT,
  reference,
  returnUrl: "https://contoso.powerappsportals.com/pay/?gatewayReturn=success",
  expiresAt: new Date(now + 30 * 60_000),
  metadata: { kit: "epg" },
});

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => {
      received.push({ authorization: req.headers.authorization, body: JSON.parse(text) as Received["body"] });
      res.writeHead(200, { "content-type": "text/plain" }).end(answers.shift() ?? "[accepted]");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  standIn = await startAdyenStandIn({
    apiKey: API_KEY,
    merchantAccount: MERCHANT,
    hmacKey: HMAC_KEY,
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    basicAuth: { username: "hook", password: "hook-pass" },
    now: () => now,
  });
});

afterAll(async () => {
  await standIn.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

describe("the official Adyen library against the stand-in", () => {
  it("creates, reads and expires a payment link; replays a repeated Idempotency-Key", async () => {
    const api = checkoutApi().PaymentLinksApi;
    const link = await api.paymentLinks(linkRequest("purchase-1"), {
      idempotencyKey: "checkout:purchase-1:1",
    });
    expect(link).toMatchObject({
      status: "active",
      reference: "purchase-1",
      amount: { value: 2500, currency: "EUR" },
    });
    expect(link.url).toBe(`${standIn.url}/pay/${link.id}`);
    const again = await api.paymentLinks(linkRequest("purchase-1"), {
      idempotencyKey: "checkout:purchase-1:1",
    });
    expect(again.id).toBe(link.id);
    await expect(
      api.paymentLinks(linkRequest("purchase-2"), { idempotencyKey: "checkout:purchase-1:1" }),
    ).rejects.toMatchObject({ statusCode: 422 });
    expect((await api.getPaymentLink(link.id)).status).toBe("active");
    const expired = "expired" as never;
    expect((await api.updatePaymentLink(link.id, { status: expired })).status).toBe("expired");
    expect(standIn.state.links.size).toBe(1);
  });

  it("refuses a wrong API key and a wrong merchant account the way the library reports them", async () => {
    await expect(checkoutApi("AQE-wrong").PaymentLinksApi.getPaymentLink("PL0")).rejects.toMatchObject({
      statusCode: 401,
    });
    const request = { ...linkRequest("purchase-3"), merchantAccount: "Other" };
    await expect(checkoutApi().PaymentLinksApi.paymentLinks(request)).rejects.toMatchObject({
      statusCode: 403,
      errorCode: "901",
    });
  });

  it("takes a payment on the hosted page and sends a signed AUTHORISATION batch with Basic auth", async () => {
    const link = await checkoutApi().PaymentLinksApi.paymentLinks(linkRequest("purchase-4"));
    const page = await fetch(`${standIn.url}/pay/${link.id}`);
    expect(await page.text()).toContain("2500 EUR");
    const paid = await fetch(`${standIn.url}/pay/${link.id}/pay`, { method: "POST", redirect: "manual" });
    expect([paid.status, paid.headers.get("location")]).toEqual([303, linkRequest("x").returnUrl]);
    await standIn.idle();
    const last = received.at(-1)!;
    expect(last.authorization).toBe(`Basic ${Buffer.from("hook:hook-pass").toString("base64")}`);
    expect(last.body.live).toBe("false");
    const item = last.body.notificationItems[0]!.NotificationRequestItem;
    expect(item).toMatchObject({
      eventCode: "AUTHORISATION",
      success: "true",
      merchantReference: "purchase-4",
      merchantAccountCode: MERCHANT,
      amount: { value: 2500, currency: "EUR" },
      additionalData: { paymentLinkId: link.id },
    });
    expect(new hmacValidator().validateHMAC(item as never, HMAC_KEY)).toBe(true);
    expect((await checkoutApi().PaymentLinksApi.getPaymentLink(link.id)).status).toBe("completed");
  });

  it("keeps the link's lineItems and shows one row per pass on the hosted page (issue #20, item 3)", async () => {
    const link = await checkoutApi().PaymentLinksApi.paymentLinks({
      ...linkRequest("purchase-lines"),
      lineItems: [
        { id: "1", description: "Summit: Full conference", quantity: 2, amountIncludingTax: 1000 },
        { id: "2", description: "Summit: Day ticket", quantity: 1, amountIncludingTax: 500 },
      ],
    });
    expect(link.lineItems?.map((l) => [l.description, l.quantity, l.amountIncludingTax])).toEqual([
      ["Summit: Full conference", 2, 1000],
      ["Summit: Day ticket", 1, 500],
    ]);
    const html = await (await fetch(`${standIn.url}/pay/${link.id}`)).text();
    expect(html).toMatch(/<td>Summit: Full conference<\/td><td>2<\/td><td>1000 EUR<\/td>/);
    expect(html).toMatch(/<td>Summit: Day ticket<\/td><td>1<\/td><td>500 EUR<\/td>/);
  });
});

describe("the official Adyen library and the stand-in's notifications", () => {
  it("refunds through the modifications API: received now, the outcome by REFUND notification", async () => {
    const link = await checkoutApi().PaymentLinksApi.paymentLinks(linkRequest("purchase-5"));
    const psp = standIn.pay(link.id);
    const mods = checkoutApi().ModificationsApi;
    const partial = await mods.refundCapturedPayment(
      psp,
      { amount: { value: 1000, currency: "EUR" }, merchantAccount: MERCHANT, reference: "partial" },
      { idempotencyKey: `refund:${psp}:partial` },
    );
    expect(partial).toMatchObject({ status: "received", paymentPspReference: psp });
    standIn.knobs.refundSucceeds = false;
    const refused = await mods.refundCapturedPayment(psp, {
      amount: { value: 1500, currency: "EUR" },
      merchantAccount: MERCHANT,
    });
    standIn.knobs.refundSucceeds = true;
    await standIn.idle();
    const items = received.slice(-2).map((r) => r.body.notificationItems[0]!.NotificationRequestItem);
    expect(
      items.map((i) => [i["eventCode"], i["success"], i["pspReference"], i["originalReference"]]),
    ).toEqual([
      ["REFUND", "true", partial.pspReference, psp],
      ["REFUND", "false", refused.pspReference, psp],
    ]);
    await expect(
      mods.refundCapturedPayment("NOSUCHPAYMENT000", {
        amount: { value: 1, currency: "EUR" },
        merchantAccount: MERCHANT,
      }),
    ).rejects.toMatchObject({ statusCode: 422 });
  });

  it("retries a batch until it is answered [accepted], then on the clock, and sends duplicates on request", async () => {
    const link = await checkoutApi().PaymentLinksApi.paymentLinks(linkRequest("purchase-6"));
    const before = received.length;
    answers = ["[refused]", "", "error", "not yet"];
    standIn.pay(link.id);
    await standIn.idle();
    expect(received.length - before).toBe(4); // the first try and three immediate retries
    now += 2 * 60_000;
    standIn.runDueWork();
    await standIn.idle();
    expect(received.length - before).toBe(5);
    const note = standIn.state.notifications.at(-1)!;
    expect([note.delivered, note.attempts]).toEqual([true, 5]);

    standIn.knobs.duplicateDeliveries = true;
    const second = await checkoutApi().PaymentLinksApi.paymentLinks(linkRequest("purchase-7"));
    standIn.pay(second.id, { authorised: false });
    await standIn.idle();
    standIn.knobs.duplicateDeliveries = false;
    const [a, b] = received.slice(-2).map((r) => r.body.notificationItems[0]!.NotificationRequestItem);
    expect(a).toEqual(b);
    expect(a).toMatchObject({
      eventCode: "AUTHORISATION",
      success: "false",
      merchantReference: "purchase-7",
    });
  });
});

describe("doctor's Adyen account check against the stand-in", () => {
  it("answers doctor's account check: the key, then the key's access to the merchant account", async () => {
    const config = {
      apiKey: API_KEY,
      merchantAccount: MERCHANT,
      hmacKeys: [HMAC_KEY],
      environment: "test" as const,
      apiBase: standIn.apiBase,
    };
    expect(await checkAdyenAccount(config)).toMatchObject({
      status: "pass",
      detail: expect.stringContaining(MERCHANT),
    });
    expect(await checkAdyenAccount({ ...config, apiKey: "AQE-wrong" })).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/^ADYEN_API_KEY is not accepted/),
    });
    expect(await checkAdyenAccount({ ...config, merchantAccount: "OtherAccount" })).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/may not use ADYEN_MERCHANT_ACCOUNT/),
    });
    const env = {
      ADYEN_API_KEY: API_KEY,
      ADYEN_MERCHANT_ACCOUNT: MERCHANT,
      ADYEN_HMAC_KEYS: HMAC_KEY,
      ADYEN_ENVIRONMENT: "test",
      ADYEN_API_BASE: standIn.apiBase,
    };
    expect(await checkAdyenFromEnv(env)).toEqual([
      expect.objectContaining({ check: "Adyen account", status: "pass" }),
    ]);
    expect(await checkAdyenFromEnv({})).toEqual([]);
    const broken = await checkAdyenFromEnv({ PAYMENT_PROVIDER: "adyen" });
    expect(broken).toEqual([
      expect.objectContaining({ status: "fail", detail: expect.stringContaining("ADYEN_API_KEY") }),
    ]);
  });
});
