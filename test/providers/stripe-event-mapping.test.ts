// Each Stripe event type the README subscribes to, signed and passed through verifyAndParse, and
// the signal it becomes (spec §1.3 decision rule).

import { readFileSync } from "node:fs";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { createStripeAdapter } from "../../confirmation-endpoint/providers/stripe";
import { SUBSCRIBED_EVENT_TYPES } from "../../confirmation-endpoint/providers/stripe/events";
import type { PaymentEvent } from "../../confirmation-endpoint/providers/types";

const SECRET = "whsec_mapping";
const NOW = new Date("2026-11-26T12:00:00Z");
const NOW_S = Math.floor(NOW.getTime() / 1000);
const adapter = createStripeAdapter({ secretKey: "sk_test_fake", webhookSecrets: [SECRET] });
const KIT = { purchaseId: "p-1", readableEventId: "conf-2026", mode: "outbound", kit: "epg" };

function deliver(type: string, object: Record<string, unknown>, id = `evt_${type}`): PaymentEvent {
  const payload = JSON.stringify({
    id,
    object: "event",
    type,
    created: NOW_S - 60,
    livemode: false,
    data: { object },
  });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: NOW_S });
  const events = adapter.verifyAndParse({
    headers: new Headers({ "stripe-signature": header }),
    body: new TextEncoder().encode(payload),
    receivedAt: NOW,
  });
  expect(events).toHaveLength(1);
  return events[0] as PaymentEvent;
}

function session(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "cs_test_1",
    object: "checkout.session",
    status: "complete",
    payment_status: "paid",
    amount_total: 2500,
    currency: "eur",
    client_reference_id: "p-1",
    payment_intent: "pi_1",
    livemode: false,
    metadata: KIT,
    ...overrides,
  };
}

function intent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "pi_1",
    object: "payment_intent",
    status: "succeeded",
    amount: 2500,
    amount_received: 2500,
    currency: "eur",
    metadata: KIT,
    ...overrides,
  };
}

describe("checkout.session events", () => {
  it("completed + paid → paid, with ids, amount in minor units, upper-case currency", () => {
    const event = deliver("checkout.session.completed", session());
    expect(event).toEqual({
      provider: "stripe",
      dedupeKey: "evt_checkout.session.completed",
      type: "checkout.session.completed",
      signal: "paid",
      purchaseId: "p-1",
      providerPaymentId: "pi_1",
      providerSessionId: "cs_test_1",
      amount: { minor: 2500, currency: "EUR" },
      live: false,
      occurredAt: new Date((NOW_S - 60) * 1000),
      providerStatus: "complete/paid",
    });
  });

  it("completed + unpaid → pending; completed + no_payment_required → pending, flagged", () => {
    expect(deliver("checkout.session.completed", session({ payment_status: "unpaid" })).signal).toBe(
      "pending",
    );
    const free = deliver(
      "checkout.session.completed",
      session({ payment_status: "no_payment_required", amount_total: 0 }),
    );
    expect(free.signal).toBe("pending");
    expect(free.providerStatus).toBe("complete/no_payment_required");
  });

  it("async_payment_succeeded → paid, async_payment_failed → failed", () => {
    expect(deliver("checkout.session.async_payment_succeeded", session()).signal).toBe("paid");
    expect(
      deliver("checkout.session.async_payment_failed", session({ payment_status: "unpaid" })).signal,
    ).toBe("failed");
  });

  it("expired while unpaid → expired; expired after payment → ignored", () => {
    expect(
      deliver(
        "checkout.session.expired",
        session({ status: "expired", payment_status: "unpaid", payment_intent: null }),
      ).signal,
    ).toBe("expired");
    expect(
      deliver("checkout.session.expired", session({ status: "expired", payment_status: "paid" })).signal,
    ).toBe("ignored");
  });

  it("reads the purchase only from client_reference_id / metadata, never elsewhere", () => {
    const onlyMetadata = deliver("checkout.session.completed", session({ client_reference_id: null }));
    expect(onlyMetadata.purchaseId).toBe("p-1");
    const conflicting = deliver("checkout.session.completed", session({ client_reference_id: "p-2" }));
    expect(conflicting.purchaseId).toBeNull();
    const none = deliver(
      "checkout.session.completed",
      session({
        client_reference_id: null,
        metadata: { kit: "epg" },
        customer_details: { purchaseId: "p-9" },
      }),
    );
    expect(none.purchaseId).toBeNull();
    expect(none.signal).toBe("paid");
  });

  it("a session without the kit's tag (another integration) is recorded but ignored", () => {
    const foreign = deliver("checkout.session.completed", session({ metadata: { purchaseId: "p-1" } }));
    expect(foreign).toMatchObject({ signal: "ignored", purchaseId: null, providerStatus: "foreign" });
  });

  it("reads an expanded payment_intent object's id", () => {
    expect(
      deliver("checkout.session.completed", session({ payment_intent: { id: "pi_x" } })).providerPaymentId,
    ).toBe("pi_x");
  });
});

describe("payment_intent events", () => {
  it("succeeded → paid from metadata, amount_received", () => {
    const event = deliver(
      "payment_intent.succeeded",
      intent({ amount_received: 1500, amount: 1500, currency: "jpy" }),
    );
    expect(event).toMatchObject({
      signal: "paid",
      purchaseId: "p-1",
      providerPaymentId: "pi_1",
      providerSessionId: null,
      amount: { minor: 1500, currency: "JPY" },
    });
  });

  it("payment_failed → ignored: a declined card does not end the Checkout Session", () => {
    const event = deliver(
      "payment_intent.payment_failed",
      intent({ status: "requires_payment_method", amount_received: 0 }),
    );
    expect(event).toMatchObject({
      signal: "ignored",
      providerPaymentId: "pi_1",
      amount: { minor: 2500, currency: "EUR" },
    });
  });
});

describe("refund and charge events", () => {
  const refund = (status: string) => ({
    id: "re_1",
    object: "refund",
    status,
    amount: 12340,
    currency: "kwd",
    payment_intent: "pi_1",
    metadata: { purchaseId: "p-1", refundReason: "deadline_passed", kit: "epg" },
  });

  it("refund.updated maps by refund status", () => {
    expect(deliver("refund.updated", refund("succeeded"))).toMatchObject({
      signal: "refunded",
      purchaseId: "p-1",
      providerRefundId: "re_1",
      providerPaymentId: "pi_1",
      amount: { minor: 12340, currency: "KWD" },
    });
    expect(deliver("refund.updated", refund("pending")).signal).toBe("ignored");
    expect(deliver("refund.updated", refund("failed")).signal).toBe("refund_failed");
    expect(deliver("refund.updated", refund("canceled")).signal).toBe("refund_failed");
    expect(deliver("refund.updated", refund("requires_action")).signal).toBe("refund_failed");
  });

  it("refund.failed → refund_failed", () => {
    expect(deliver("refund.failed", refund("failed")).signal).toBe("refund_failed");
  });

  it("charge.refunded → refunded only when fully refunded", () => {
    const charge = {
      id: "ch_1",
      object: "charge",
      refunded: true,
      amount: 2500,
      amount_refunded: 2500,
      currency: "eur",
      payment_intent: "pi_1",
      metadata: KIT,
    };
    expect(deliver("charge.refunded", charge)).toMatchObject({
      signal: "refunded",
      providerPaymentId: "pi_1",
      purchaseId: "p-1",
      amount: { minor: 2500, currency: "EUR" },
    });
    expect(deliver("charge.refunded", { ...charge, refunded: false, amount_refunded: 100 }).signal).toBe(
      "ignored",
    );
  });

  it("charge.dispute.created is recorded with the payment id, no action", () => {
    const event = deliver("charge.dispute.created", {
      id: "dp_1",
      object: "dispute",
      status: "needs_response",
      amount: 2500,
      currency: "eur",
      payment_intent: "pi_1",
      charge: "ch_1",
    });
    expect(event).toMatchObject({
      signal: "ignored",
      providerPaymentId: "pi_1",
      providerStatus: "dispute:needs_response",
    });
  });
});

describe("other event types", () => {
  it("unknown types are returned as ignored so the store can record and acknowledge them", () => {
    const event = deliver("customer.created", { id: "cus_1", object: "customer" }, "evt_unknown");
    expect(event).toMatchObject({
      dedupeKey: "evt_unknown",
      type: "customer.created",
      signal: "ignored",
      purchaseId: null,
      amount: null,
    });
  });
});

describe("the README's subscription list", () => {
  it("names exactly the event types the adapter is written for", () => {
    const readme = readFileSync(new URL("../../docs/stripe.md", import.meta.url), "utf8");
    const start = readme.indexOf("/v1/webhooks/stripe` and subscribe it to:");
    expect(start, "README: the Stripe webhook section should say where to subscribe").toBeGreaterThan(-1);
    const listStart = readme.indexOf("\n- ", start);
    const list = readme.slice(listStart, readme.indexOf("\n\n", listStart));
    const named = [...list.matchAll(/`([a-z_]+(?:\.[a-z_]+)+)`/g)].map((m) => m[1]);
    expect(new Set(named)).toEqual(new Set(SUBSCRIBED_EVENT_TYPES));
  });
});

describe("deployments sharing one Stripe account (issue #14, item 1)", () => {
  const ours = createStripeAdapter({
    secretKey: "sk_test_fake",
    webhookSecrets: [SECRET],
    deploymentId: "prod",
  });
  const deliverTo = (type: string, object: Record<string, unknown>) => {
    const payload = JSON.stringify({
      id: `evt_${type}`,
      object: "event",
      type,
      created: NOW_S - 60,
      livemode: false,
      data: { object },
    });
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: NOW_S });
    const headers = new Headers({ "stripe-signature": header });
    return ours.verifyAndParse({ headers, body: new TextEncoder().encode(payload), receivedAt: NOW })[0]!;
  };

  it("another deployment's session and payment intent are ignored (acknowledged, no job, never refunded)", () => {
    const uat = { ...KIT, deployment: "uat" };
    expect(deliverTo("checkout.session.completed", session({ metadata: uat }))).toMatchObject({
      signal: "ignored",
      providerStatus: "foreign",
      purchaseId: null,
    });
    expect(deliverTo("payment_intent.succeeded", intent({ metadata: uat })).signal).toBe("ignored");
  });

  it("this deployment's objects, and objects from before deployment ids, are acted on", () => {
    expect(
      deliverTo("checkout.session.completed", session({ metadata: { ...KIT, deployment: "prod" } })).signal,
    ).toBe("paid");
    expect(deliverTo("checkout.session.completed", session()).signal).toBe("paid");
  });
});
