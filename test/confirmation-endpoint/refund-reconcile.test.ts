// Refunds on request and the three-way reconcile, built the real way: the endpoint with the
// official Stripe SDK against the provider stand-in, the Dataverse stand-in through the kit's
// client, and the commands' own code (and, once each, the commands as a person runs them). Each
// verdict comes from a scenario made for it: a webhook the provider never delivered, a
// registration created by hand, a refund made in the provider's dashboard, an amount edited.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixLines } from "../../confirmation-endpoint/reconcile/fix-lines";
import { reconcileThreeWay, type ReconcileLine } from "../../confirmation-endpoint/reconcile/three-way";
import {
  executeRequestedRefund,
  planRequestedRefund,
} from "../../confirmation-endpoint/refunds/request-refund";
import { endpointConfig, openEndpointParts, type EndpointParts } from "../../scripts/lib/endpoint-parts";
import type { SeedResult } from "../../sandbox/dataverse/seed-data";
import { fetchStatus, startStandInStack, waitFor, type StandInStack } from "./stand-in-stack";

const run = promisify(execFile);
const PORTAL = "http://127.0.0.1:5998";
let stack: StandInStack;
let parts: EndpointParts;
let seeded: SeedResult;
const since = () => Date.now() - 60 * 60_000;

beforeAll(async () => {
  stack = await startStandInStack({
    portalOrigin: PORTAL,
    webhookSecret: "whsec_refund_reconcile_secret",
    stripeSecretKey: "sk_test_refund_reconcile",
  });
  seeded = stack.dataverse.seed();
  parts = openEndpointParts(endpointConfig(stack.env));
});

afterAll(async () => {
  await parts?.close();
  await stack?.close();
});

const people = [
  { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
  { firstName: "Alan", lastName: "Turing", email: "alan@example.com" },
];

/** Registers `count` attendees on the paid event and starts the checkout; the session to pay. */
async function startPurchase(count = 1): Promise<{ purchaseId: string; sessionId: string }> {
  const pass = seeded.paidEvent.passes[0]!;
  const registration = stack.dataverse.register({
    readableEventId: seeded.paidEvent.readableEventId,
    attendees: people.slice(0, count).map((p) => ({ ...p, passId: pass.id })),
  });
  const purchaseId = registration.purchaseId!;
  const res = await fetch(`${stack.endpoint.url}/v1/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL },
    body: JSON.stringify({
      purchaseId,
      readableEventId: seeded.paidEvent.readableEventId,
      returnUrl: `${PORTAL}/payment-gateway/?purchaseId=${purchaseId}`,
    }),
  });
  expect(res.status).toBe(200);
  const session = stack.provider.state.sessions().find((s) => s.client_reference_id === purchaseId)!;
  return { purchaseId, sessionId: session.id };
}

async function payAndFinalize(count = 1): Promise<{ purchaseId: string; paymentIntent: string }> {
  const { purchaseId, sessionId } = await startPurchase(count);
  stack.provider.pay(sessionId);
  await stack.provider.idle();
  const status = await waitFor(
    () => fetchStatus(stack.endpoint, purchaseId),
    (s) => s.status === "finalized",
  );
  expect(status.status).toBe("finalized");
  const session = stack.provider.state.sessions().find((s) => s.id === sessionId)!;
  return { purchaseId, paymentIntent: String(session.payment_intent) };
}

const lineOf = async (purchaseId: string): Promise<ReconcileLine> => {
  const { lines } = await reconcileThreeWay(parts, since());
  const line = lines.find((l) => l.purchaseId === purchaseId);
  expect(line, `no reconcile line for ${purchaseId}`).toBeDefined();
  return line!;
};

const refundsAtProvider = (paymentIntent: string) =>
  stack.provider.state.refunds().filter((r) => r.payment_intent === paymentIntent);

describe("refund on request", () => {
  it("pays for two attendees, refunds one partially; provider, store and reconcile agree, and a rerun refunds once", async () => {
    const { purchaseId, paymentIntent } = await payAndFinalize(2);
    const price = Math.round(seeded.paidEvent.passes[0]!.price * 100);
    const request = {
      purchaseId,
      attendeeEmail: "alan@example.com",
      note: "Alan cannot come",
      requestedBy: "finance@test",
    };
    const plan = await planRequestedRefund(parts, request);
    expect(plan.paid.minor).toBe(2 * price);
    expect(plan.amount.minor).toBe(price);
    // A partial amount of that attendee's passes: half of Alan's.
    const half = await planRequestedRefund(parts, {
      ...request,
      attendeeEmail: undefined,
      amountMinor: price / 2,
    });
    const first = await executeRequestedRefund(parts, half);
    expect(first).toMatchObject({ kind: "done", refund: { state: "succeeded", amountMinor: price / 2 } });
    const again = await executeRequestedRefund(
      parts,
      await planRequestedRefund(parts, { ...request, attendeeEmail: undefined, amountMinor: price / 2 }),
    );
    expect(again.kind).toBe("repeated");
    expect(refundsAtProvider(paymentIntent).map((r) => [r.amount, r.status])).toEqual([
      [price / 2, "succeeded"],
    ]);
    const stored = (await parts.store.listRefunds(purchaseId)).filter((r) => r.reason === "requested");
    expect(stored.map((r) => [r.amountMinor, r.state, r.note, r.requestedBy])).toEqual([
      [price / 2, "succeeded", "Alan cannot come", "finance@test"],
    ]);
    // More than is left is refused before anything is sent.
    await expect(
      planRequestedRefund(parts, { ...request, attendeeEmail: undefined, amountMinor: 2 * price }),
    ).rejects.toMatchObject({ code: "EXCEEDS" });
    await stack.provider.idle();
    const line = await lineOf(purchaseId);
    expect(line.verdict).toBe("settled");
    expect(line.payments[0]).toMatchObject({ paid: { minor: 2 * price }, refundedMinor: price / 2 });
    expect(line.store).toMatchObject({
      state: "finalized",
      refundedMinor: price / 2,
      refunds: [
        { amountMinor: price / 2, state: "succeeded", reason: "requested", note: "Alan cannot come" },
      ],
    });
    expect(line.dataverse).toMatchObject({ processed: true, registrations: 2 });
    // The registration is the organizer's: still there.
    expect(stack.dataverse.state.purchase(purchaseId).registrationIds).toHaveLength(2);
  });

  it("npm run refund: --dry-run changes nothing, not on a terminal it needs --yes, --yes --json refunds", async () => {
    const { purchaseId, paymentIntent } = await payAndFinalize(1);
    const env = { ...process.env, ...stack.env };
    const refund = (args: string[]) =>
      run(process.execPath, ["--import", "tsx", "scripts/refund.ts", "--purchase", purchaseId, ...args], {
        env,
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const [dry, unconfirmed] = await Promise.all([
      refund(["--amount", "5.00", "--reason", "goodwill", "--dry-run"]),
      refund(["--amount", "5.00", "--reason", "goodwill"]),
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("5.00 EUR");
    expect(dry.stdout).toContain("registration is not touched");
    expect(refundsAtProvider(paymentIntent)).toEqual([]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain("--yes");
    const done = await refund(["--amount", "5.00", "--reason", "goodwill", "--yes", "--json"]);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      outcome: "done",
      amount: { minor: 500, currency: "EUR" },
      refund: { state: "succeeded" },
      registration: "not touched",
    });
    expect(refundsAtProvider(paymentIntent).map((r) => r.amount)).toEqual([500]);
  }, 90_000);
});

describe("three-way reconcile", () => {
  it("the provider stand-in lists checkout sessions in Stripe's wire format, filtered by created, to the official SDK", async () => {
    const stripe = parts.providers.get("stripe")!;
    const listed = await stripe.listPayments!({ since: new Date(Date.now() - 60 * 60_000) });
    const paid = listed.filter((p) => p.status === "paid");
    expect(paid.length).toBeGreaterThan(0);
    for (const p of paid) {
      expect(p.purchaseId).toMatch(/^[0-9a-f-]{36}$/);
      expect(p.providerPaymentId).toMatch(/^pi_/);
      expect(p.amount?.currency).toBe("EUR");
    }
    expect(await stripe.listPayments!({ since: new Date(Date.now() + 60 * 60_000) })).toEqual([]);
  });

  it("a webhook the provider never delivered: unknown to the store; --fix stores it and the purchase settles", async () => {
    const { purchaseId, sessionId } = await startPurchase(1);
    stack.provider.setWebhookUrl(null);
    stack.provider.pay(sessionId);
    stack.provider.setWebhookUrl(`${stack.endpoint.url}/v1/webhooks/stripe`);
    const line = await lineOf(purchaseId);
    expect(line).toMatchObject({ verdict: "unknown_to_store", fix: "ingest" });
    expect(await fixLines(parts, [line])).toEqual([
      expect.objectContaining({ purchaseId, action: "ingested" }),
    ]);
    const settled = await waitFor(
      () => lineOf(purchaseId),
      (l) => l.verdict === "settled",
      20_000,
    );
    expect(settled.verdict).toBe("settled");
  });

  it("a registration created by hand for a purchase never paid: registered, not paid (a person decides)", async () => {
    const { purchaseId } = await startPurchase(1);
    const attendee = stack.dataverse.state
      .list("msevtmgt_eventpurchaseattendees")
      .find((a) => a._msevtmgt_purchaseid_value === purchaseId)!;
    // An organizer registers the attendee by hand in Dynamics 365, linked to the purchase.
    const registration = stack.dataverse.editByHand("msevtmgt_eventregistrations", null, {
      msevtmgt_name: "by hand",
      _msevtmgt_eventid_value: seeded.paidEvent.id,
    });
    stack.dataverse.editByHand(
      "msevtmgt_eventpurchaseattendees",
      String(attendee.msevtmgt_eventpurchaseattendeeid),
      { _msevtmgt_eventregistrationid_value: String(registration.msevtmgt_eventregistrationid) },
    );
    const line = await lineOf(purchaseId);
    expect(line).toMatchObject({
      verdict: "registered_not_paid",
      fix: null,
      dataverse: { registrations: 1 },
    });
    expect(await fixLines(parts, [line])).toEqual([expect.objectContaining({ action: "needs_a_person" })]);
  });

  it("a refund made in the provider's dashboard: refunded but registered", async () => {
    const { purchaseId, paymentIntent } = await payAndFinalize(1);
    // The dashboard's own form, as a person posts it: everything that is left.
    const res = await fetch(`${stack.provider.dashboardUrl}/refund`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ payment_intent: paymentIntent, amount: "" }).toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get("location") ?? "")).toContain(`Refunded ${paymentIntent}.`);
    await stack.provider.idle();
    const line = await lineOf(purchaseId);
    expect(line.verdict).toBe("refunded_but_registered");
    expect(line.store!.refundedMinor).toBe(0);
  });

  it("an amount edited in Dataverse after payment: amount differs", async () => {
    const { purchaseId } = await payAndFinalize(1);
    stack.dataverse.editByHand("msevtmgt_eventpurchases", purchaseId, { msevtmgt_totalprice: 1 });
    const line = await lineOf(purchaseId);
    expect(line.verdict).toBe("amount_differs");
    expect(line.detail).toContain("Dataverse says 1.00 EUR");
  });

  it("paid, not registered while finalize is still in time: --fix queues finalize again and it settles", async () => {
    const { purchaseId, sessionId } = await startPurchase(1);
    // Dataverse refuses every finalize for now (a 400 is a refusal the worker would refund, so a
    // 503: the worker keeps retrying within the deadline).
    stack.dataverse.setFaults({
      failures: { msevtmgt_FinalizeExternalRegistrationRequest: { status: 503 } },
    });
    stack.provider.pay(sessionId);
    await stack.provider.idle();
    await waitFor(
      () => parts.store.getPurchase(purchaseId),
      (p) => p?.state === "paid" && p.finalizeAttempts > 0,
    );
    stack.dataverse.setFaults({ failures: {} });
    const line = await lineOf(purchaseId);
    expect(line).toMatchObject({ verdict: "paid_not_registered", fix: "finalize" });
    expect((await fixLines(parts, [line]))[0]!.action).toBe("finalize_queued");
    const settled = await waitFor(
      () => lineOf(purchaseId),
      (l) => l.verdict === "settled",
      20_000,
    );
    expect(settled.verdict).toBe("settled");
  });

  it("npm run reconcile --json exits 1 while a line is unsettled and lists each verdict; --csv has one row per line", async () => {
    const env = { ...process.env, ...stack.env };
    const reconcile = (args: string[]) =>
      run(process.execPath, ["--import", "tsx", "scripts/reconcile.ts", "--since", "1h", ...args], {
        env,
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const [json, csv] = await Promise.all([reconcile(["--json"]), reconcile(["--csv"])]);
    expect(json.code, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout) as {
      allSettled: boolean;
      counts: Record<string, number>;
      sources: unknown;
    };
    expect(report.allSettled).toBe(false);
    expect(report.sources).toMatchObject({ providers: { stripe: "listing" } });
    expect(Object.keys(report.counts)).toEqual(
      expect.arrayContaining(["settled", "registered_not_paid", "refunded_but_registered", "amount_differs"]),
    );
    const rows = csv.stdout.trim().split("\r\n");
    expect(rows[0]).toBe(
      "purchase,verdict,payments,currency,provider_paid,provider_refunded,store_state,store_refunded,dataverse,detail",
    );
    expect(rows.length - 1).toBe(Object.values(report.counts).reduce((a, b) => a + b, 0));
  }, 90_000);
});
