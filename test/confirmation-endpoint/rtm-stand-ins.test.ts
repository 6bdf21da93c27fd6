// Real-time journeys end to end over HTTP with the kit's real parts (Dataverse client with msal,
// Stripe adapter with the official SDK) against the sandbox's stand-ins: the Event API answers a
// registration with the payment provider's page URL, the endpoint reads price and timeout from
// Dataverse (no RTM_PAYMENT_TIMEOUT_MINUTES set), and settles with msevtmgt_finalizeregistrationpayment.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEndpoint } from "../../confirmation-endpoint/main";
import { readRedirectUrl } from "../../confirmation-endpoint/rtm/read-redirect-url";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { SeedResult } from "../../sandbox/dataverse/seed-data";
import type { ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import type { StandInStack } from "./stand-in-stack";
import { fetchStatus, startStandInStack, waitFor } from "./stand-in-stack";

const SITE = "http://127.0.0.1:5998";
let stack: StandInStack;
let dataverse: DataverseStandIn;
let provider: ProviderStandIn;
let endpoint: RunningEndpoint;
let seeded: SeedResult;

beforeAll(async () => {
  stack = await startStandInStack({
    portalOrigin: SITE,
    webhookSecret: "whsec_rtm_stand_in_secret",
    stripeSecretKey: "sk_test_rtm_stand_in",
    overrides: { missedEventsIntervalMs: 0, publicUrlIsListenUrl: true },
  });
  ({ dataverse, provider, endpoint } = stack);
  seeded = dataverse.seed({ paymentPageUrl: `${endpoint.url}/v1/rtm/pay?`, paymentTimeoutMinutes: 20 });
});

afterAll(async () => {
  await stack?.close();
});

async function registerThroughEventApi(token = dataverse.eventApiToken): Promise<Response> {
  const pass = seeded.paidEvent.passes[0]!;
  return fetch(
    `${dataverse.eventApiUrl}events/${encodeURIComponent(seeded.paidEvent.readableEventId)}/registrations?emApplicationtoken=${encodeURIComponent(token)}`,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: SITE,
        referer: `${SITE}/rtm/register?id=${seeded.paidEvent.readableEventId}`,
      },
      body: JSON.stringify({
        attendees: [{ firstName: "Grace", lastName: "Hopper", email: "grace@example.com", passId: pass.id }],
      }),
    },
  );
}

/** Registers through the Event API and follows the payment page URL to the provider's 302. */
async function startRtmPayment(): Promise<{ purchaseId: string; sessionId: string; payPage: string }> {
  const res = await registerThroughEventApi();
  expect(res.status).toBe(200);
  const redirectUrl = readRedirectUrl(await res.json());
  expect(redirectUrl.startsWith(`${endpoint.url}/v1/rtm/pay?purchaseId=`)).toBe(true);
  const purchaseId = new URL(redirectUrl).searchParams.get("purchaseId")!;
  expect(new URL(redirectUrl).searchParams.get("returnUrl")).toBe(
    `${SITE}/rtm/register?id=${seeded.paidEvent.readableEventId}`,
  );
  const pay = await fetch(redirectUrl, { redirect: "manual" });
  expect(pay.status, await pay.clone().text()).toBe(302);
  const payPage = pay.headers.get("location")!;
  const session = provider.state.sessions(50).find((s) => s.client_reference_id === purchaseId)!;
  expect(payPage).toContain(session.id);
  return { purchaseId, sessionId: session.id, payPage };
}

describe("RTM against the Dataverse and Stripe stand-ins", () => {
  it("Event API → /v1/rtm/pay → pay → webhook → Completed in Dataverse; deadline from the provider record", async () => {
    const { purchaseId, sessionId } = await startRtmPayment();
    const stored = (await endpoint.store.getPurchase(purchaseId))!;
    expect(stored.mode).toBe("rtm");
    expect(stored.expectedMinor).toBe(Math.round(seeded.paidEvent.passes[0]!.price * 100));
    expect(stored.readableEventId).toBe(seeded.paidEvent.readableEventId);
    expect(stored.deadlineAt - stored.t0).toBe(20 * 60_000);

    provider.pay(sessionId);
    await provider.idle();
    const state = await waitFor(
      () => dataverse.state.purchase(purchaseId),
      (p) => p.state === "completed",
    );
    expect(state).toMatchObject({ state: "completed", processed: true });
    expect(state.registrationIds).toHaveLength(1);
    expect(dataverse.state.stats.actionCalls).toMatchObject({ msevtmgt_finalizeregistrationpayment: 1 });
    const status = await waitFor(
      () => fetchStatus(endpoint, purchaseId),
      (s) => s.status === "finalized",
    );
    expect(status.status).toBe("finalized");
  });

  it("an abandoned payment (cancel on the hosted page) releases the reserved pass in Dataverse", async () => {
    const passId = seeded.paidEvent.passes[0]!.id;
    const left = () => Number(dataverse.state.get("msevtmgt_passes", passId)?.msevtmgt_noofpassesleft);
    const before = left();
    const { purchaseId, sessionId } = await startRtmPayment();
    expect(left()).toBe(before - 1);
    const session = provider.state.sessions(50).find((s) => s.id === sessionId)!;
    const cancel = await fetch(String(session.cancel_url), { redirect: "manual" });
    expect(cancel.status).toBe(302);
    expect(cancel.headers.get("location")).toContain("gatewayReturn=cancel");
    const state = await waitFor(
      () => dataverse.state.purchase(purchaseId),
      (p) => p.state === "cancelled",
    );
    expect(state.state).toBe("cancelled");
    expect(left()).toBe(before);
    expect((await endpoint.store.getPurchase(purchaseId))!.state).toBe("expired");
  });

  it("the purchase row is written a moment after the Event API answered: the route waits, then redirects", async () => {
    dataverse.setKnobs({ rtmPurchaseDelayMs: 2_000 });
    try {
      const started = Date.now();
      const { purchaseId } = await startRtmPayment();
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      const line = stack.logger.entries.find(
        (e) => e.msg === "rtm: checkout" && e.purchaseId === purchaseId,
      )!;
      expect(Number(line.reads)).toBeGreaterThan(1);
    } finally {
      dataverse.setKnobs({ rtmPurchaseDelayMs: 0 });
    }
  });

  it('the Event API refuses a wrong token, and its sample spelling "redirectUrl " is read all the same', async () => {
    expect((await registerThroughEventApi("not-the-token")).status).toBe(401);
    dataverse.setKnobs({ eventApiRedirectKey: "redirectUrl " });
    try {
      const body = (await (await registerThroughEventApi()).json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(["redirectUrl "]);
      expect(readRedirectUrl(body)).toMatch(/\/v1\/rtm\/pay\?purchaseId=/);
    } finally {
      dataverse.setKnobs({ eventApiRedirectKey: "redirectUrl" });
    }
  });
});
