// The endpoint with its real parts (Dataverse client with msal, Stripe adapter with the official
// SDK) against the sandbox's stand-ins, everything on 127.0.0.1: the seams really meet.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { startEndpoint } from "../../confirmation-endpoint/main";
import type { RunningEndpoint } from "../../confirmation-endpoint/main";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { startProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import type { ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";

const PORTAL = "http://127.0.0.1:5999";
const SECRET = "whsec_stand_in_test_secret";
let dir: string;
let dataverse: DataverseStandIn;
let provider: ProviderStandIn;
let endpoint: RunningEndpoint;
const logger = createMemoryLogger();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "endpoint-stand-ins-"));
  dataverse = await startDataverseStandIn({});
  provider = await startProviderStandIn({ webhookSecret: SECRET, sweepIntervalMs: 0 });
  const config = loadConfig({
    DATAVERSE_URL: dataverse.url,
    DATAVERSE_TENANT_ID: dataverse.tenantId,
    DATAVERSE_CLIENT_ID: dataverse.clientId,
    DATAVERSE_CLIENT_SECRET: dataverse.clientSecret,
    DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
    PORTAL_ORIGINS: PORTAL,
    STRIPE_SECRET_KEY: "sk_test_stand_in",
    STRIPE_WEBHOOK_SECRETS: SECRET,
    STRIPE_API_BASE: provider.apiBase,
    STORE_URL: `sqlite:${join(dir, "gateway.sqlite")}`,
    PORT: "0",
  });
  endpoint = await startEndpoint(config, { logger });
  provider.setWebhookUrl(`${endpoint.url}/v1/webhooks/stripe`);
});

afterAll(async () => {
  await endpoint?.close();
  await provider?.close();
  await dataverse?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("endpoint against the Dataverse and Stripe stand-ins", () => {
  it("register → checkout → pay → signed webhook → finalize in Dataverse → status finalized", async () => {
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
      body: JSON.stringify({ purchaseId, readableEventId: seeded.paidEvent.readableEventId, returnUrl: `${PORTAL}/payment-gateway/?purchaseId=${purchaseId}` }),
    });
    const body = (await res.json()) as { purchase: { amount: { minor: number; currency: string } }; payment: { redirectUrl: string } };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.purchase.amount.minor).toBe(Math.round(pass.price * 100));
    const session = provider.state.sessions(1)[0]!;
    expect(body.payment.redirectUrl).toContain(session.id);
    expect(session.client_reference_id).toBe(purchaseId);

    provider.pay(session.id);
    await provider.idle();
    const status = await waitFor(
      async () => (await (await fetch(`${endpoint.url}/v1/purchases/${purchaseId}/status`)).json()) as { status: string; confirmationUrl?: string },
      (s) => s.status === "finalized",
    );
    expect(status).toEqual({
      status: "finalized",
      readableEventId: seeded.paidEvent.readableEventId,
      confirmationUrl: `${PORTAL}/event/confirmation?id=${seeded.paidEvent.readableEventId}`,
    });
    expect(dataverse.state.purchase(purchaseId).processed).toBe(true);
    expect(dataverse.state.stats.actionCalls).toMatchObject({ msevtmgt_FinalizeExternalRegistrationRequest: 1 });
    expect((await fetch(`${endpoint.url}/readyz`)).status).toBe(200);
  });
});
