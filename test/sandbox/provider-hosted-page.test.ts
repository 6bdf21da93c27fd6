// The stand-in's hosted checkout page through plain HTTP form posts: Pay, Decline, Cancel, the
// redirects Stripe would make, and the events each leaves behind.
import Stripe from "stripe";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProviderStandIn, type ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";

const T0 = Date.parse("2026-11-26T10:00:00Z");
let standIn: ProviderStandIn;
let stripe: Stripe;
let clock = T0;

beforeEach(async () => {
  clock = T0;
  standIn = await startProviderStandIn({
    webhookSecret: "whsec_hosted_page_0123456789",
    now: () => clock,
    sweepIntervalMs: 0,
  });
  const base = new URL(standIn.apiBase);
  stripe = new Stripe("sk_test_hosted", { host: base.hostname, port: Number(base.port), protocol: "http" });
});

afterEach(async () => {
  await standIn.close();
});

async function openSession(
  name = "Day pass",
  currency = "eur",
  unitAmount = 4200,
): Promise<Stripe.Checkout.Session> {
  return stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{ quantity: 1, price_data: { currency, unit_amount: unitAmount, product_data: { name } } }],
    client_reference_id: "purchase-7",
    success_url: "https://portal.example/gateway/?purchaseId=purchase-7&cs={CHECKOUT_SESSION_ID}",
    cancel_url: "https://portal.example/gateway/?purchaseId=purchase-7&cancelled=1",
  });
}

function post(url: string, action: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ action }).toString(),
    redirect: "manual",
  });
}

async function eventTypes(): Promise<string[]> {
  return (await stripe.events.list({ limit: 100 })).data.map((event) => event.type).reverse();
}

describe("hosted checkout page", () => {
  it("shows the line item, the amount and three keyboard-reachable buttons, without scripts or external assets", async () => {
    const session = await openSession("Conference <pass> & dinner");
    const response = await fetch(session.url ?? "");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain("Conference &lt;pass&gt; &amp; dinner");
    expect(html).not.toContain("<pass>");
    expect(html).toContain("€42.00");
    expect(html.match(/<button[^>]*type="submit"/g)).toHaveLength(3);
    expect(html).toMatch(/value="pay"[^>]*autofocus/);
    // The one <link> is the empty data: favicon, so the browser asks for no /favicon.ico.
    expect(html).not.toMatch(/<script|<link(?! rel="icon" href="data:,">)|src=/);
  });

  it("formats amounts in the currency's own decimals", async () => {
    const yen = await openSession("Pass", "jpy", 1500);
    expect(await (await fetch(yen.url ?? "")).text()).toContain("¥1,500");
  });

  it("Pay completes the session and redirects to success_url with the session id filled in", async () => {
    const session = await openSession();
    const response = await post(session.url ?? "", "pay");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(
      `https://portal.example/gateway/?purchaseId=purchase-7&cs=${session.id}`,
    );
    const after = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(after).toMatchObject({ status: "complete", payment_status: "paid", url: null });
    expect(after.payment_intent).toMatchObject({ status: "succeeded", amount_received: 4200 });
    expect(await eventTypes()).toEqual([
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
      "checkout.session.completed",
    ]);
    const page = await (await fetch(`${standIn.url}/c/pay/${session.id}`)).text();
    expect(page).toContain("This payment is complete.");
    const second = await post(`${standIn.url}/c/pay/${session.id}`, "pay");
    expect(second.status).toBe(303);
    expect(second.headers.get("location")).toContain(session.id);
    expect(standIn.state.paymentIntents()).toHaveLength(1);
    expect(standIn.state.charges()).toHaveLength(1);
  });

  it("refuses a Pay form posted from another site, and takes one from its own page", async () => {
    const session = await openSession();
    const from = (headers: Record<string, string>) =>
      fetch(session.url ?? "", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: "action=pay",
        redirect: "manual",
      });
    expect((await from({ "sec-fetch-site": "cross-site", origin: "null" })).status).toBe(403);
    expect((await from({ origin: "https://evil.example" })).status).toBe(403);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    expect((await from({ "sec-fetch-site": "same-origin", origin: "null" })).status).toBe(303);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("complete");
  });

  it("Decline keeps the session open, shows the message and lets the person pay afterwards", async () => {
    const session = await openSession();
    const url = session.url ?? "";
    const declined = await post(url, "decline");
    expect(declined.status).toBe(303);
    expect(declined.headers.get("location")).toBe(`/c/pay/${session.id}?declined=1`);
    const page = await (await fetch(new URL(declined.headers.get("location") ?? "", standIn.url))).text();
    expect(page).toMatch(/role="alert"[^>]*>Your card was declined/);
    expect(page).toContain('value="pay"');
    expect(page).toContain('value="cancel"');

    const open = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(open.status).toBe("open");
    const intent = open.payment_intent as Stripe.PaymentIntent;
    expect(intent.status).toBe("requires_payment_method");
    expect(intent.last_payment_error).toMatchObject({ code: "card_declined", type: "card_error" });
    expect(await eventTypes()).toEqual([
      "payment_intent.created",
      "charge.failed",
      "payment_intent.payment_failed",
    ]);

    const paid = await post(url, "pay");
    expect(paid.status).toBe(303);
    const done = await stripe.checkout.sessions.retrieve(session.id);
    expect(done.payment_status).toBe("paid");
    expect(done.payment_intent).toBe(intent.id);
  });

  it("Cancel goes back to cancel_url and leaves the session open", async () => {
    const session = await openSession();
    const response = await post(session.url ?? "", "cancel");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(
      "https://portal.example/gateway/?purchaseId=purchase-7&cancelled=1",
    );
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    expect(await eventTypes()).toEqual([]);
  });

  it("refuses payment once expires_at has passed, even before the sweep runs", async () => {
    const session = await openSession();
    clock += 24 * 3600 * 1000 + 1000;
    const response = await post(session.url ?? "", "pay");
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("has expired");
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
    expect(await eventTypes()).toEqual(["checkout.session.expired"]);
  });

  it("answers 404 for an unknown session and 400 for an unknown action", async () => {
    expect((await fetch(`${standIn.url}/c/pay/cs_test_missing`)).status).toBe(404);
    const session = await openSession();
    expect((await post(session.url ?? "", "steal")).status).toBe(400);
  });
});

describe("hosted checkout page after expiry", () => {
  it("shows an expired session as expired (and emits the event) even before the sweep runs", async () => {
    const session = await openSession();
    clock += 24 * 3600 * 1000;
    const html = await (await fetch(session.url ?? "")).text();
    expect(html).toContain("has expired");
    expect(html).not.toContain('value="pay"');
    expect(html).toContain('href="https://portal.example/gateway/?purchaseId=purchase-7&amp;cancelled=1"');
    expect(await eventTypes()).toEqual(["checkout.session.expired"]);
  });
});
