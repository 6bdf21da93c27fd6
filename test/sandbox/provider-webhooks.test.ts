// Webhooks from the payment provider stand-in: Stripe's signature (checked with the SDK's own
// constructEvent), retries with backoff after a non-2xx, bounded attempts, duplicates on demand,
// expiry by clock, refund settlement, the dashboard's buttons, and state kept across a restart.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import {
  startProviderStandIn,
  type ProviderStandIn,
  type ProviderStandInOptions,
} from "../../sandbox/provider/start-provider-stand-in";

const SECRET = "whsec_webhooks_test_0123456789abcdef";
const T0 = Date.parse("2026-11-26T10:00:00Z");

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer each request with, by arrival order; defaults to 200 afterwards. */
  answers: number[];
  close(): Promise<void>;
}

async function startReceiver(answers: number[] = []): Promise<Receiver> {
  const received: Received[] = [];
  const state = { answers };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(state.answers.shift() ?? 200);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/stripe`,
    received,
    answers: state.answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

let clock = T0;
async function setup(receiverAnswers: number[] = [], options: Partial<ProviderStandInOptions> = {}) {
  clock = T0;
  const receiver = await startReceiver(receiverAnswers);
  cleanups.push(() => receiver.close());
  const standIn = await startProviderStandIn({
    webhookSecret: SECRET,
    webhookUrl: receiver.url,
    now: () => clock,
    sweepIntervalMs: 0,
    webhookRetry: { initialDelayMs: 1000, maxDelayMs: 8000, timeScale: 0.005, maxAttempts: 4 },
    enabledEvents: ["checkout.session.*", "refund.*", "charge.refunded", "payment_intent.payment_failed"],
    ...options,
  });
  cleanups.push(() => standIn.close());
  const base = new URL(standIn.apiBase);
  const stripe = new Stripe("sk_test_webhooks", {
    host: base.hostname,
    port: Number(base.port),
    protocol: "http",
  });
  return { receiver, standIn, stripe };
}

async function paidSession(stripe: Stripe, standIn: ProviderStandIn): Promise<Stripe.Checkout.Session> {
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [
      { quantity: 1, price_data: { currency: "eur", unit_amount: 3000, product_data: { name: "Pass" } } },
    ],
    client_reference_id: "purchase-w",
    metadata: { purchaseId: "purchase-w" },
    success_url: "https://portal.example/ok",
  });
  standIn.pay(session.id);
  return session;
}

function verify(stripe: Stripe, delivery: Received): Stripe.Event {
  const header = delivery.headers["stripe-signature"];
  // receivedAt keeps the SDK's 300 s tolerance honest against the stand-in's (test) clock.
  return stripe.webhooks.constructEvent(
    delivery.body,
    String(header),
    SECRET,
    300,
    undefined,
    Math.floor(clock / 1000),
  );
}

describe("webhook delivery", () => {
  it("signs each webhook so stripe.webhooks.constructEvent accepts it, and a wrong secret does not", async () => {
    const { receiver, standIn, stripe } = await setup();
    const session = await paidSession(stripe, standIn);
    await standIn.idle();
    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0] as Received;
    expect(delivery.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(String(delivery.headers["stripe-signature"])).toMatch(
      new RegExp(`^t=${Math.floor(T0 / 1000)},v1=[0-9a-f]{64}$`),
    );
    const event = verify(stripe, delivery);
    expect(event.type).toBe("checkout.session.completed");
    expect((event.data.object as Stripe.Checkout.Session).id).toBe(session.id);
    expect((event.data.object as Stripe.Checkout.Session).payment_status).toBe("paid");
    expect(() =>
      stripe.webhooks.constructEvent(
        delivery.body,
        String(delivery.headers["stripe-signature"]),
        "whsec_other",
        300,
        undefined,
        Math.floor(clock / 1000),
      ),
    ).toThrow(/No signatures found/);
    expect(standIn.state.events().find((e) => e.event.id === event.id)?.delivery).toBe("succeeded");
    // Event types outside enabledEvents are stored but not sent.
    expect(standIn.state.events().find((e) => e.event.type === "payment_intent.succeeded")?.delivery).toBe(
      "none",
    );
  });

  it("retries after a 500 and a 503, then stops once delivered", async () => {
    const { receiver, standIn, stripe } = await setup([500, 503]);
    await paidSession(stripe, standIn);
    await standIn.idle();
    expect(receiver.received).toHaveLength(3);
    const ids = receiver.received.map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(new Set(ids).size).toBe(1);
    const attempts = standIn.state.deliveries().reverse();
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    for (const delivery of receiver.received)
      expect(verify(stripe, delivery).type).toBe("checkout.session.completed");
  });

  it("gives up after maxAttempts and lists the event under delivery_success=false", async () => {
    const { receiver, standIn, stripe } = await setup([500, 500, 500, 500]);
    await paidSession(stripe, standIn);
    const began = performance.now();
    await standIn.idle();
    const elapsed = performance.now() - began;
    expect(receiver.received).toHaveLength(4);
    // Waits of 1 s, 2 s, 4 s scaled by 0.005: at least 35 ms in all.
    expect(elapsed).toBeGreaterThanOrEqual(30);
    const failed = await stripe.events.list({ delivery_success: false });
    expect(failed.data.map((e) => e.type)).toEqual(["checkout.session.completed"]);
    expect(failed.data[0]?.pending_webhooks).toBe(1);
    standIn.resendEvent(failed.data[0]?.id ?? "");
    await standIn.idle();
    expect(receiver.received).toHaveLength(5);
    expect((await stripe.events.list({ delivery_success: false })).data).toHaveLength(0);
  });

  it("keeps retrying through network errors until the receiver answers", async () => {
    const { standIn, stripe, receiver } = await setup();
    standIn.setWebhookUrl("http://127.0.0.1:9/nothing-listens-here");
    await paidSession(stripe, standIn);
    await new Promise((resolve) => setTimeout(resolve, 2));
    standIn.setWebhookUrl(receiver.url);
    await standIn.idle();
    const attempts = standIn.state.deliveries().reverse();
    expect(attempts[0]?.status).toBeNull();
    expect(attempts[0]?.error).toBeTruthy();
    expect(attempts.at(-1)?.status).toBe(200);
    expect(receiver.received).toHaveLength(1);
  });

  it("sends the next webhooks twice on demand, and resends an event from the dashboard", async () => {
    const { receiver, standIn, stripe } = await setup();
    standIn.duplicateNextWebhooks(1);
    await paidSession(stripe, standIn);
    await standIn.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]?.body).toBe(receiver.received[1]?.body);
    const eventId = (JSON.parse(receiver.received[0]?.body ?? "{}") as { id: string }).id;

    const dashboard = await fetch(standIn.dashboardUrl);
    const html = await dashboard.text();
    expect(html).toContain(eventId);
    expect(html).toContain("checkout.session.completed");
    const clicked = await fetch(`${standIn.dashboardUrl}/duplicate`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ event: eventId }).toString(),
      redirect: "manual",
    });
    expect(clicked.status).toBe(303);
    await standIn.idle();
    expect(receiver.received).toHaveLength(4);
    const state = (await (await fetch(`${standIn.dashboardUrl}/state.json`)).json()) as {
      deliveries: Array<{ status: number }>;
    };
    expect(state.deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
  });

  it("expires a session when the clock passes expires_at and sends checkout.session.expired", async () => {
    const { receiver, standIn, stripe } = await setup();
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        { quantity: 1, price_data: { currency: "eur", unit_amount: 100, product_data: { name: "Pass" } } },
      ],
      expires_at: Math.floor(T0 / 1000) + 1830,
    });
    clock += 1829 * 1000;
    standIn.runDueWork();
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    clock += 1000;
    standIn.runDueWork();
    await standIn.idle();
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
    expect(receiver.received.map((r) => verify(stripe, r).type)).toEqual(["checkout.session.expired"]);
  });

  it("expires through advance() and the dashboard's clock button", async () => {
    const { receiver, standIn, stripe } = await setup();
    const first = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        { quantity: 1, price_data: { currency: "eur", unit_amount: 100, product_data: { name: "Pass" } } },
      ],
      expires_at: Math.floor(T0 / 1000) + 1800,
    });
    standIn.advance(1800 * 1000);
    expect((await stripe.checkout.sessions.retrieve(first.id)).status).toBe("expired");
    const second = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        { quantity: 1, price_data: { currency: "eur", unit_amount: 100, product_data: { name: "Pass" } } },
      ],
    });
    const clicked = await fetch(`${standIn.dashboardUrl}/advance`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "minutes=1440",
      redirect: "manual",
    });
    expect(clicked.status).toBe(303);
    expect((await stripe.checkout.sessions.retrieve(second.id)).status).toBe("expired");
    await standIn.idle();
    expect(receiver.received).toHaveLength(2);
  });
});

describe("secret rotation", () => {
  it("signs with both secrets while one is rolled, then with the new one only", async () => {
    const { receiver, standIn, stripe } = await setup();
    const next = "whsec_rotated_secret_0123456789";
    standIn.rotateWebhookSecret(next, { keepPrevious: true });
    await paidSession(stripe, standIn);
    await standIn.idle();
    const during = receiver.received[0] as Received;
    expect(String(during.headers["stripe-signature"]).match(/v1=/g)).toHaveLength(2);
    const at = Math.floor(clock / 1000);
    for (const secret of [SECRET, next]) {
      expect(
        stripe.webhooks.constructEvent(
          during.body,
          String(during.headers["stripe-signature"]),
          secret,
          300,
          undefined,
          at,
        ).type,
      ).toBe("checkout.session.completed");
    }
    standIn.rotateWebhookSecret(next);
    standIn.resendEvent((JSON.parse(during.body) as { id: string }).id);
    await standIn.idle();
    const after = receiver.received[1] as Received;
    expect(() =>
      stripe.webhooks.constructEvent(
        after.body,
        String(after.headers["stripe-signature"]),
        SECRET,
        300,
        undefined,
        at,
      ),
    ).toThrow();
    expect(
      stripe.webhooks.constructEvent(
        after.body,
        String(after.headers["stripe-signature"]),
        next,
        300,
        undefined,
        at,
      ).id,
    ).toBeTruthy();
  });
});

describe("shared clock", () => {
  it("moves a shared clock through advanceClock when the dashboard's button is used", async () => {
    const shared = { now: T0 };
    const standIn = await startProviderStandIn({
      webhookSecret: SECRET,
      now: () => shared.now,
      advanceClock: (ms) => {
        shared.now += ms;
      },
      sweepIntervalMs: 0,
    });
    cleanups.push(() => standIn.close());
    const base = new URL(standIn.apiBase);
    const stripe = new Stripe("sk_test_shared", {
      host: base.hostname,
      port: Number(base.port),
      protocol: "http",
    });
    const session = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [
        { quantity: 1, price_data: { currency: "eur", unit_amount: 100, product_data: { name: "Pass" } } },
      ],
      expires_at: Math.floor(T0 / 1000) + 1800,
    });
    const clicked = await fetch(`${standIn.dashboardUrl}/advance`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "minutes=30",
      redirect: "manual",
    });
    expect(clicked.status).toBe(303);
    expect(shared.now).toBe(T0 + 30 * 60_000);
    expect(standIn.now()).toBe(shared.now);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
  });
});

describe("refund events", () => {
  it("sends refund.created and charge.refunded for an immediate refund", async () => {
    const { receiver, standIn, stripe } = await setup();
    const session = await paidSession(stripe, standIn);
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    await stripe.refunds.create(
      { payment_intent: String(paid.payment_intent) },
      { idempotencyKey: "refund:x:deadline_passed" },
    );
    await standIn.idle();
    // Stripe does not promise order, and neither does the stand-in: compare as sets.
    const events = receiver.received.map((r) => verify(stripe, r));
    expect(events.map((e) => e.type).sort()).toEqual([
      "charge.refunded",
      "checkout.session.completed",
      "refund.created",
    ]);
    const refundEvent = events.find((e) => e.type === "refund.created") as Stripe.Event;
    expect(refundEvent.request).toEqual({
      id: expect.stringMatching(/^req_/),
      idempotency_key: "refund:x:deadline_passed",
    });
  });

  it("settles a pending refund later with refund.updated, and reports a failing one with refund.failed", async () => {
    const { receiver, standIn, stripe } = await setup([], { refundSettleSeconds: 30 });
    const session = await paidSession(stripe, standIn);
    const intent = String((await stripe.checkout.sessions.retrieve(session.id)).payment_intent);
    standIn.setNextRefundOutcomes("pending", "failed");
    const pending = await stripe.refunds.create({ payment_intent: intent, amount: 1000 });
    const failing = await stripe.refunds.create({ payment_intent: intent, amount: 2000 });
    expect([pending.status, failing.status]).toEqual(["pending", "pending"]);
    standIn.advance(30_000);
    expect((await stripe.refunds.retrieve(pending.id)).status).toBe("succeeded");
    const failed = await stripe.refunds.retrieve(failing.id);
    expect(failed.status).toBe("failed");
    await standIn.idle();
    const types = receiver.received.map((r) => verify(stripe, r).type);
    expect(types.filter((type) => type.startsWith("refund.")).sort()).toEqual([
      "refund.created",
      "refund.created",
      "refund.failed",
      "refund.updated",
      "refund.updated",
    ]);
    // The failed refund's money is refundable again.
    const retry = await stripe.refunds.create({ payment_intent: intent, amount: 2000 });
    expect(retry.status).toBe("succeeded");
  });
});

describe("persistence", () => {
  it("keeps sessions, payments and events in the SQLite file across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "provider-stand-in-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = join(dir, "provider.sqlite");
    const first = await setup([], { dbPath });
    const session = await paidSession(first.stripe, first.standIn);
    await first.standIn.close();

    const second = await startProviderStandIn({
      webhookSecret: SECRET,
      dbPath,
      now: () => clock,
      sweepIntervalMs: 0,
    });
    cleanups.push(() => second.close());
    const base = new URL(second.apiBase);
    const stripe = new Stripe("sk_test_again", {
      host: base.hostname,
      port: Number(base.port),
      protocol: "http",
    });
    const again = await stripe.checkout.sessions.retrieve(session.id);
    expect(again.payment_status).toBe("paid");
    expect((await stripe.events.list({ type: "checkout.session.completed" })).data).toHaveLength(1);
  });
});

describe("options", () => {
  it("refuses to start without a whsec_ secret and says what to give", async () => {
    await expect(startProviderStandIn({ webhookSecret: "secret" })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
      message: expect.stringContaining("whsec_"),
    });
  });
});
