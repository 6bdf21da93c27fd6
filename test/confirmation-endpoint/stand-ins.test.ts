// The endpoint with its real parts (Dataverse client with msal, Stripe adapter with the official
// SDK) against the sandbox's stand-ins, everything on 127.0.0.1: the seams really meet.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StandInStack } from "./stand-in-stack";
import { fetchStatus, startStandInStack, waitFor } from "./stand-in-stack";

const PORTAL = "http://127.0.0.1:5999";
let stack: StandInStack;

beforeAll(async () => {
  stack = await startStandInStack({
    portalOrigin: PORTAL,
    webhookSecret: "whsec_stand_in_test_secret",
    stripeSecretKey: "sk_test_stand_in",
  });
});

afterAll(async () => {
  await stack?.close();
});

describe("endpoint against the Dataverse and Stripe stand-ins", () => {
  it("register → checkout → pay → signed webhook → finalize in Dataverse → status finalized", async () => {
    const { dataverse, provider, endpoint } = stack;
    const seeded = dataverse.seed();
    const pass = seeded.paidEvent.passes[0]!;
    const registration = dataverse.register({
      readableEventId: seeded.paidEvent.readableEventId,
      attendees: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: pass.id }],
    });
    const purchaseId = registration.purchaseId!;

    const res = await fetch(`${endpoint.url}/v1/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: PORTAL },
      body: JSON.stringify({
        purchaseId,
        readableEventId: seeded.paidEvent.readableEventId,
        returnUrl: `${PORTAL}/payment-gateway/?purchaseId=${purchaseId}`,
      }),
    });
    const body = (await res.json()) as {
      purchase: { amount: { minor: number; currency: string } };
      payment: { redirectUrl: string };
    };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.purchase.amount.minor).toBe(Math.round(pass.price * 100));
    const session = provider.state.sessions(1)[0]!;
    expect(body.payment.redirectUrl).toContain(session.id);
    expect(session.client_reference_id).toBe(purchaseId);

    provider.pay(session.id);
    await provider.idle();
    const status = await waitFor(
      () => fetchStatus(endpoint, purchaseId),
      (s) => s.status === "finalized",
    );
    expect(status).toEqual({
      status: "finalized",
      readableEventId: seeded.paidEvent.readableEventId,
      confirmationUrl: `${PORTAL}/event/confirmation?id=${seeded.paidEvent.readableEventId}`,
    });
    expect(dataverse.state.purchase(purchaseId).processed).toBe(true);
    expect(dataverse.state.stats.actionCalls).toMatchObject({
      msevtmgt_FinalizeExternalRegistrationRequest: 1,
    });
    expect((await fetch(`${endpoint.url}/readyz`)).status).toBe(200);
  });
});
