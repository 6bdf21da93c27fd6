// Adyen end to end through createEndpoint: the endpoint (served on 127.0.0.1) takes checkouts on
// the Adyen stand-in through the official library, and the stand-in's notification batches come
// back over HTTP. Each fault of the catalogue that applies to Adyen is one test here.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createEndpoint, type Endpoint } from "../../confirmation-endpoint/create-endpoint";
import { createNodeListener } from "../../confirmation-endpoint/http/node-adapter";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { signItem } from "../../confirmation-endpoint/providers/adyen/hmac";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import type { NotificationItem } from "../../sandbox/adyen/adyen-state";
import { signedBatch } from "../../sandbox/adyen/notifier";
import { startAdyenStandIn, type AdyenStandIn } from "../../sandbox/adyen/start-adyen-stand-in";
import {
  FakeClock,
  FakeDataverse,
  MINUTE,
  switchableStore,
  type StoreSwitch,
} from "../confirmation-endpoint/fakes";
import { CONTACT, PORTAL, PURCHASE, T0 } from "../confirmation-endpoint/harness";

const KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
const OLD_KEY = "A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90";
const AUTH = { username: "adyen-hook", password: "hook-password-for-tests" };
const ENV = {
  DATAVERSE_URL: "https://contoso.crm.dynamics.com",
  DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
  DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
  DATAVERSE_CLIENT_SECRET: "test-only",
  PORTAL_ORIGINS: PORTAL,
  PAYMENT_PROVIDER: "adyen",
  ADYEN_API_KEY: "AQE-stand-in-key",
  ADYEN_MERCHANT_ACCOUNT: "ContosoEvents",
  ADYEN_ENVIRONMENT: "test",
  ADYEN_WEBHOOK_USERNAME: AUTH.username,
  ADYEN_WEBHOOK_PASSWORD: AUTH.password,
};

interface Harness {
  clock: FakeClock;
  dataverse: FakeDataverse;
  endpoint: Endpoint;
  standIn: AdyenStandIn;
  storeSwitch: StoreSwitch;
  webhookUrl: string;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(handler: (request: Request) => Promise<Response>): Promise<string> {
  const server: Server = createServer(createNodeListener(handler, () => undefined));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setup(options: { endpointKeys?: string; signingKey?: string } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "adyen-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new FakeClock(T0 + 2 * MINUTE);
  const standIn = await startAdyenStandIn({
    apiKey: ENV.ADYEN_API_KEY,
    merchantAccount: ENV.ADYEN_MERCHANT_ACCOUNT,
    hmacKey: options.signingKey ?? KEY,
    basicAuth: AUTH,
    now: clock.now,
  });
  cleanups.push(() => standIn.close());
  const config = loadConfig({
    ...ENV,
    ADYEN_HMAC_KEYS: options.endpointKeys ?? KEY,
    ADYEN_API_BASE: standIn.apiBase,
    STORE_URL: `sqlite:${join(dir, "g.sqlite")}`,
  });
  const storeSwitch = switchableStore(openStore(config.store));
  const dataverse = new FakeDataverse();
  dataverse.addPurchase({ purchaseId: PURCHASE, createdOn: new Date(T0).toISOString(), contactId: CONTACT });
  dataverse.finalizeScript.push({ kind: "ok" });
  const endpoint = createEndpoint(config, {
    clock,
    dataverse,
    logger: createMemoryLogger(),
    store: storeSwitch.store,
  });
  cleanups.push(() => endpoint.close());
  const webhookUrl = `${await listen(endpoint.handler)}/v1/webhooks/adyen`;
  standIn.setWebhookUrl(webhookUrl);
  return { clock, dataverse, endpoint, standIn, storeSwitch, webhookUrl };
}

/** POST /v1/checkout; answers the payment link id. */
async function checkout(h: Harness): Promise<string> {
  const response = await h.endpoint.handler(
    new Request("http://127.0.0.1/v1/checkout", {
      method: "POST",
      headers: { "content-type": "application/json", origin: PORTAL },
      body: JSON.stringify({
        purchaseId: PURCHASE,
        readableEventId: "Paid_Event1479011247",
        returnUrl: `${PORTAL}/pay/`,
      }),
    }),
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as { payment: { provider: string; redirectUrl: string } };
  expect(body.payment.provider).toBe("adyen");
  return body.payment.redirectUrl.split("/").at(-1)!;
}

/** Let notifications and jobs run until nothing moves (refunds send further notifications). */
async function settle(h: Harness): Promise<void> {
  for (let round = 0; round < 4; round += 1) {
    await h.standIn.idle();
    await h.endpoint.worker.drain();
  }
}

const purchase = (h: Harness) => h.endpoint.store.getPurchase(PURCHASE);
const refunds = async (h: Harness) =>
  (await h.endpoint.store.listRefunds(PURCHASE)).map((r) => [r.reason, r.state, r.amountMinor, r.currency]);

function postBatch(h: Harness, body: string, auth: string | null = AUTH.password): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (auth !== null)
    headers["authorization"] = `Basic ${Buffer.from(`${AUTH.username}:${auth}`).toString("base64")}`;
  return fetch(h.webhookUrl, { method: "POST", headers, body });
}

/** Pay without delivering, and hand back the AUTHORISATION item the stand-in would have sent. */
function payQuietly(h: Harness, linkId: string): NotificationItem {
  h.standIn.setWebhookUrl(null);
  h.standIn.pay(linkId);
  h.standIn.setWebhookUrl(h.webhookUrl);
  return h.standIn.state.notifications.at(-1)!.item;
}

describe("Adyen through the endpoint", () => {
  it("takes a purchase from checkout to finalized once, even when every notification comes twice", async () => {
    const h = await setup();
    h.standIn.knobs.duplicateDeliveries = true;
    const linkId = await checkout(h);
    const link = h.standIn.state.links.get(linkId)!;
    expect(link).toMatchObject({
      reference: PURCHASE,
      amount: { value: 2500, currency: "EUR" },
      manualCapture: false,
    });
    expect(link.metadata).toMatchObject({ purchaseId: PURCHASE, mode: "outbound", kit: "epg" });
    expect([...h.standIn.state.idempotency.keys()]).toEqual([expect.stringMatching(/^checkout:/)]);
    const psp = h.standIn.pay(linkId);
    await settle(h);
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(await purchase(h)).toMatchObject({
      state: "finalized",
      winningPaymentId: psp,
      winningProvider: "adyen",
    });
    expect((await h.endpoint.store.summary()).webhookEvents).toBe(1);
    expect(h.standIn.state.notifications.map((n) => n.lastAnswer)).toEqual(["200 [accepted]"]);
  });

  it("refuses a bad, a missing and an unauthenticated batch with 400 and stores nothing", async () => {
    const h = await setup();
    const linkId = await checkout(h);
    const item = payQuietly(h, linkId);
    const bad = signedBatch([item], OLD_KEY);
    const missing = JSON.stringify({ live: "false", notificationItems: [{ NotificationRequestItem: item }] });
    for (const [body, auth] of [
      [bad, AUTH.password],
      [missing, AUTH.password],
      [signedBatch([item], KEY), "wrong-password"],
      [signedBatch([item], KEY), null],
    ] as const) {
      const response = await postBatch(h, body, auth);
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain("[accepted]");
    }
    await h.endpoint.worker.drain();
    expect((await h.endpoint.store.summary()).webhookEvents).toBe(0);
    expect(h.dataverse.finalizeCount()).toBe(0);
  });

  it("accepts notifications signed with the previous key during rotation, and not once it is removed", async () => {
    const rotating = await setup({ endpointKeys: `${KEY},${OLD_KEY}`, signingKey: OLD_KEY });
    rotating.standIn.pay(await checkout(rotating));
    await settle(rotating);
    expect(rotating.dataverse.finalizeCount()).toBe(1);

    const removed = await setup({ endpointKeys: KEY, signingKey: OLD_KEY });
    removed.standIn.pay(await checkout(removed));
    await settle(removed);
    expect(removed.standIn.state.notifications[0]).toMatchObject({
      delivered: false,
      lastAnswer: expect.stringMatching(/^400/),
    });
    expect(removed.dataverse.finalizeCount()).toBe(0);
  });

  it("stores the good item of a batch with one bad item and answers [accepted]", async () => {
    const h = await setup();
    const item = payQuietly(h, await checkout(h));
    const forged = { ...item, pspReference: "FORGED0000000001" };
    const items = [item, forged].map((i, index) => ({
      NotificationRequestItem: {
        ...i,
        additionalData: { ...i.additionalData, hmacSignature: signItem(i, index === 0 ? KEY : OLD_KEY) },
      },
    }));
    const response = await postBatch(h, JSON.stringify({ live: "false", notificationItems: items }));
    expect([response.status, await response.text()]).toEqual([200, "[accepted]"]);
    await settle(h);
    expect((await h.endpoint.store.summary()).webhookEvents).toBe(1);
    expect(await purchase(h)).toMatchObject({ state: "finalized", winningPaymentId: item.pspReference });
  });
});

describe("Adyen payments the kit does not keep", () => {
  it("finalizes once and refunds the second of two authorisations for one purchase", async () => {
    const h = await setup();
    const linkId = await checkout(h);
    const first = h.standIn.pay(linkId);
    const second = h.standIn.pay(linkId);
    await settle(h);
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(await purchase(h)).toMatchObject({ state: "finalized", winningPaymentId: first });
    expect(await refunds(h)).toEqual([["duplicate_payment", "succeeded", 2500, "EUR"]]);
    expect(h.standIn.state.modifications).toEqual([
      expect.objectContaining({
        kind: "REFUND",
        paymentPspReference: second,
        amount: { value: 2500, currency: "EUR" },
      }),
    ]);
  });

  it.each([
    ["amount", { value: 2499, currency: "EUR" }],
    ["currency", { value: 2500, currency: "USD" }],
  ])("refunds a payment whose %s differs from the purchase and never finalizes it", async (_what, amount) => {
    const h = await setup();
    const linkId = await checkout(h);
    h.standIn.state.links.get(linkId)!.amount = amount;
    h.standIn.pay(linkId);
    await settle(h);
    expect(h.dataverse.finalizeCount()).toBe(0);
    expect(await refunds(h)).toEqual([["amount_mismatch", "succeeded", amount.value, amount.currency]]);
    expect((await purchase(h))!.state).toBe("failed");
    expect((await h.endpoint.store.listDeadLetters()).map((d) => d.reason)).toContain("amount_mismatch");
  });

  it("refunds a payment that arrives after the deadline without finalizing it", async () => {
    const h = await setup();
    const linkId = await checkout(h);
    payQuietly(h, linkId);
    h.clock.advance(60 * MINUTE);
    await settle(h);
    // The guard found the link paid and waits for the notification that names the payment.
    expect(h.standIn.state.links.get(linkId)!.status).toBe("completed");
    expect((await purchase(h))!.state).toBe("awaiting_payment");
    h.standIn.runDueWork();
    await settle(h);
    expect(h.dataverse.finalizeCount()).toBe(0);
    expect(await refunds(h)).toEqual([["deadline_passed", "succeeded", 2500, "EUR"]]);
    expect((await purchase(h))!.state).toBe("refunded");
  });

  it("dead-letters a refund Adyen refuses (REFUND success false)", async () => {
    const h = await setup();
    const linkId = await checkout(h);
    h.standIn.knobs.refundSucceeds = false;
    payQuietly(h, linkId);
    h.clock.advance(60 * MINUTE);
    await settle(h);
    h.standIn.runDueWork();
    await settle(h);
    expect(await refunds(h)).toEqual([["deadline_passed", "failed", 2500, "EUR"]]);
    expect((await purchase(h))!.state).toBe("failed");
    expect((await h.endpoint.store.listDeadLetters()).length).toBeGreaterThan(0);
  });
});

describe("Adyen while the store is down", () => {
  it("answers 503 without [accepted] while the store is down, and takes the redelivery once", async () => {
    const h = await setup();
    const linkId = await checkout(h);
    h.storeSwitch.mode = "down";
    h.standIn.pay(linkId);
    await h.standIn.idle();
    const note = h.standIn.state.notifications[0]!;
    expect([note.delivered, note.attempts, note.lastAnswer]).toEqual([
      false,
      4,
      expect.stringMatching(/^503/),
    ]);
    expect(h.standIn.state.modifications).toEqual([]);
    h.storeSwitch.mode = "up";
    h.clock.advance(2 * MINUTE);
    h.standIn.runDueWork();
    await settle(h);
    expect(note.delivered).toBe(true);
    expect(h.dataverse.finalizeCount()).toBe(1);
  });
});
