// PayPal end to end through createEndpoint: the real adapter and the official SDK talk HTTP to the
// PayPal stand-in on 127.0.0.1; the stand-in's signed webhooks go to the endpoint's handler in
// process. Approved → captured once (webhook path) → finalized; approved but never captured;
// capture declined; webhooks before and after the shopper's return; a late capture refunded; a
// refund PayPal refuses.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createEndpoint } from "../../confirmation-endpoint/create-endpoint";
import type { Endpoint } from "../../confirmation-endpoint/create-endpoint";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { createPayPalClient } from "../../confirmation-endpoint/providers/paypal/client";
import { startPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";
import type { RunningPayPalStandIn } from "../../sandbox/paypal/start-paypal-stand-in";
import { FakeClock, FakeDataverse, MINUTE } from "../confirmation-endpoint/fakes";
import { CONTACT, PORTAL, PURCHASE, T0 } from "../confirmation-endpoint/harness";

const CREDENTIALS = { clientId: "stand-in-client", clientSecret: "stand-in-only" };
const WEBHOOK_ID = "WHENDPOINT1";

interface World {
  endpoint: Endpoint;
  standIn: RunningPayPalStandIn;
  clock: FakeClock;
  dataverse: FakeDataverse;
  /** How the stand-in's webhooks fare: forwarded or lost (200, dropped); held back; the next N answered 503. */
  webhooks: { mode: "forward" | "lose"; hold: Promise<void> | null; failNext: number };
}

let world: World | null = null;
let dir: string | null = null;
afterEach(async () => {
  await world?.standIn.stop();
  await world?.endpoint.close();
  world = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<World> {
  dir = mkdtempSync(join(tmpdir(), "paypal-"));
  const clock = new FakeClock(T0 + 2 * MINUTE);
  const webhooks: World["webhooks"] = { mode: "forward", hold: null, failNext: 0 };
  let endpoint: Endpoint | null = null;
  const standIn = await startPayPalStandIn({
    ...CREDENTIALS,
    webhookId: WEBHOOK_ID,
    webhookUrl: "http://127.0.0.1/v1/webhooks/paypal",
    now: () => new Date(clock.now()),
    retryDelayMs: 1,
    fetch: async (url, init) => {
      if (webhooks.hold) await webhooks.hold;
      if (webhooks.mode === "lose") return new Response("", { status: 200 });
      if (webhooks.failNext > 0 && webhooks.failNext--) return new Response("", { status: 503 });
      return endpoint!.handler(new Request(url, init));
    },
  });
  const config = loadConfig({
    DATAVERSE_URL: "https://contoso.crm.dynamics.com",
    DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
    DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
    DATAVERSE_CLIENT_SECRET: "test-only",
    PORTAL_ORIGINS: PORTAL,
    PAYMENT_PROVIDER: "paypal",
    PAYPAL_CLIENT_ID: CREDENTIALS.clientId,
    PAYPAL_CLIENT_SECRET: CREDENTIALS.clientSecret,
    PAYPAL_WEBHOOK_ID: WEBHOOK_ID,
    PAYPAL_ENVIRONMENT: "sandbox",
    PAYPAL_API_BASE: standIn.url,
    PAYPAL_CERT_ORIGINS: standIn.url,
    STORE_URL: `sqlite:${join(dir, "g.sqlite")}`,
  });
  const dataverse = new FakeDataverse();
  dataverse.addPurchase({ purchaseId: PURCHASE, createdOn: new Date(T0).toISOString(), contactId: CONTACT });
  dataverse.finalizeScript.push({ kind: "ok" });
  endpoint = createEndpoint(config, { clock, dataverse, logger: createMemoryLogger() });
  world = { endpoint, standIn, clock, dataverse, webhooks };
  return world;
}

async function checkout(w: World): Promise<string> {
  const response = await w.endpoint.handler(
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
  expect(body.payment.provider).toBe("paypal");
  const orderId = new URL(body.payment.redirectUrl).searchParams.get("token")!;
  expect(body.payment.redirectUrl).toBe(`${w.standIn.url}/checkoutnow?token=${orderId}`);
  return orderId;
}

/** The buyer presses Approve or Cancel on the stand-in's page; answers where PayPal sends them back. */
async function buyer(w: World, orderId: string, action: "approve" | "cancel"): Promise<string> {
  const response = await fetch(`${w.standIn.url}/checkoutnow/${action}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `token=${orderId}`,
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  return response.headers.get("location")!;
}

async function settle(w: World): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await w.standIn.idle();
    await w.endpoint.worker.drain();
  }
}

async function status(w: World): Promise<{ status: string; confirmationUrl?: string }> {
  const response = await w.endpoint.handler(new Request(`http://127.0.0.1/v1/purchases/${PURCHASE}/status`));
  return (await response.json()) as { status: string; confirmationUrl?: string };
}

const capturesSent = (w: World) => w.standIn.requests.filter((r) => r.path.endsWith("/capture"));

async function lateCapture(w: World): Promise<string> {
  const orderId = await checkout(w);
  w.webhooks.mode = "lose";
  await buyer(w, orderId, "approve");
  w.clock.advance(60 * MINUTE);
  await settle(w);
  expect((await status(w)).status).toBe("expired");
  w.webhooks.mode = "forward";
  // Captured by something else after the guard (another tool on the same PayPal app).
  const sdk = createPayPalClient({
    ...CREDENTIALS,
    environment: "sandbox",
    apiBase: w.standIn.url,
    timeoutMs: 5000,
    maxRetries: 0,
  });
  await sdk.orders.captureOrder({ id: orderId, paypalRequestId: "elsewhere" });
  await settle(w);
  return orderId;
}

describe("PayPal through the endpoint: captured once, finalized", () => {
  it("approved, webhook before the return: captured once by the webhook path, then finalized", async () => {
    const w = await start();
    w.standIn.setCopies(2); // PayPal may deliver each event twice
    const orderId = await checkout(w);
    const order = w.standIn.orders.get(orderId)!;
    expect([order.amount, order.custom_id, order.invoice_id]).toEqual([
      { currency_code: "EUR", value: expect.stringMatching(/^\d+\.\d{2}$/) },
      PURCHASE,
      // The kit's deployment id (derived from the org and portal here) marks this deployment's orders.
      expect.stringMatching(/^d-[0-9a-f]{16}:/),
    ]);
    expect(w.standIn.requests[0]).toEqual({
      path: "/v2/checkout/orders",
      requestId: expect.stringMatching(/.+/),
    });
    const back = await buyer(w, orderId, "approve");
    expect(back).toMatch(new RegExp(`^${PORTAL}/pay/\\?.*token=${orderId}`));
    await settle(w);
    expect(w.standIn.captureCount()).toBe(1);
    expect(capturesSent(w).map((r) => r.requestId)).toEqual(capturesSent(w).map(() => `capture:${orderId}`));
    expect(w.dataverse.finalizeCount()).toBe(1);
    expect(await status(w)).toMatchObject({
      status: "finalized",
      confirmationUrl: expect.stringContaining(PORTAL),
    });
    const events = w.standIn.deliveries.map((d) => [d.eventType, d.status]);
    expect(events).toEqual([
      ["CHECKOUT.ORDER.APPROVED", 200],
      ["CHECKOUT.ORDER.APPROVED", 200],
      ["PAYMENT.CAPTURE.COMPLETED", 200],
      ["PAYMENT.CAPTURE.COMPLETED", 200],
    ]);
  });

  it("webhook after the return: the page waits, the retried webhook captures and finalizes", async () => {
    const w = await start();
    const orderId = await checkout(w);
    let release!: () => void;
    w.webhooks.hold = new Promise((r) => (release = r));
    w.webhooks.failNext = 1;
    await buyer(w, orderId, "approve");
    await w.endpoint.worker.drain();
    expect((await status(w)).status).toBe("awaiting_payment");
    expect(w.standIn.captureCount()).toBe(0);
    w.webhooks.hold = null;
    release();
    await settle(w);
    expect(w.standIn.deliveries[0]!.attempts).toBeGreaterThan(1);
    expect(w.standIn.captureCount()).toBe(1);
    expect((await status(w)).status).toBe("finalized");
  });
});

describe("PayPal: capture on the shopper's return as well as on the webhook", () => {
  it("approved, its webhook lost: the page's first poll after the return captures it once and it is finalized", async () => {
    const w = await start();
    const orderId = await checkout(w);
    w.webhooks.mode = "lose";
    await buyer(w, orderId, "approve");
    await settle(w);
    expect(w.standIn.captureCount()).toBe(0);
    const back = await w.endpoint.handler(
      new Request(`http://127.0.0.1/v1/purchases/${PURCHASE}/status?returned=1`),
    );
    expect(back.status).toBe(200);
    await settle(w);
    expect(w.standIn.captureCount()).toBe(1);
    expect(w.dataverse.finalizeCount()).toBe(1);
    expect((await status(w)).status).toBe("finalized");
    // The webhook, delivered late, changes nothing: one capture.
    w.webhooks.mode = "forward";
    await w.endpoint.handler(new Request(`http://127.0.0.1/v1/purchases/${PURCHASE}/status?returned=1`));
    await settle(w);
    expect(w.standIn.captureCount()).toBe(1);
  });
});

describe("PayPal through the endpoint: nothing taken, or given back", () => {
  it("approved but never captured (webhooks lost): released at the deadline, nothing taken", async () => {
    const w = await start();
    const orderId = await checkout(w);
    w.webhooks.mode = "lose";
    await buyer(w, orderId, "approve");
    await settle(w);
    w.clock.advance(60 * MINUTE);
    await settle(w);
    expect((await status(w)).status).toBe("expired");
    expect(w.standIn.captureCount()).toBe(0);
    expect(w.standIn.orders.get(orderId)!.status).toBe("APPROVED");
    expect(w.dataverse.finalizeCount()).toBe(0);
    // PayPal voids the approval later; the kit then reads the order as expired.
    w.clock.advance(3 * 60 * MINUTE);
    expect(
      (await w.endpoint.providers.get("paypal")!.getPayment({ providerPaymentId: orderId })).signal,
    ).toBe("expired");
    expect(w.standIn.orders.get(orderId)!.status).toBe("VOIDED");
  });

  it("an approval that arrives after the guard is not captured", async () => {
    const w = await start();
    const orderId = await checkout(w);
    w.clock.advance(60 * MINUTE);
    await settle(w);
    await buyer(w, orderId, "approve");
    await settle(w);
    expect(w.standIn.captureCount()).toBe(0);
    expect((await status(w)).status).toBe("expired");
  });

  it("capture declined: nothing is finalized and the purchase stays open until the deadline", async () => {
    const w = await start();
    const orderId = await checkout(w);
    w.standIn.faults.declineCapture = true;
    await buyer(w, orderId, "approve");
    await settle(w);
    expect(capturesSent(w).length).toBeGreaterThan(0);
    expect(w.standIn.captureCount()).toBe(0);
    expect(w.dataverse.finalizeCount()).toBe(0);
    expect((await status(w)).status).toBe("awaiting_payment");
    w.clock.advance(60 * MINUTE);
    await settle(w);
    expect((await status(w)).status).toBe("expired");
  });

  it("cancel sends the buyer back to the order page with nothing captured", async () => {
    const w = await start();
    const orderId = await checkout(w);
    const back = await buyer(w, orderId, "cancel");
    expect(back).toMatch(new RegExp(`^${PORTAL}/pay/\\?.*token=${orderId}`));
    expect(back).not.toBe(await buyer(w, orderId, "approve"));
    expect(w.standIn.captureCount()).toBe(0);
  });

  it("a late capture is refunded in full and nothing is finalized", async () => {
    const w = await start();
    const orderId = await lateCapture(w);
    const capture = w.standIn.orders.get(orderId)!.capture!;
    expect(capture.status).toBe("REFUNDED");
    expect(capture.refunds.map((r) => r.amount)).toEqual([capture.amount]);
    expect(w.dataverse.finalizeCount()).toBe(0);
    expect((await status(w)).status).toBe("refunded");
  });

  it("a refund PayPal refuses is dead-lettered, not reported as refunded", async () => {
    const w = await start();
    w.standIn.faults.refuseRefunds = true;
    const orderId = await lateCapture(w);
    expect(w.standIn.orders.get(orderId)!.capture!.refunds).toEqual([]);
    expect((await status(w)).status).not.toBe("refunded");
    const letters = await w.endpoint.store.listDeadLetters();
    expect(letters.map((l) => l.kind)).toContain("refund");
  });
});
