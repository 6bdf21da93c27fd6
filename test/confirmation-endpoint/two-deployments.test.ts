// Issue #14: two deployments (dev and UAT, each with its own Dataverse org and store) on one Stripe
// account. Stripe sends every event of the account to every webhook endpoint; here a small relay in
// front of both endpoints does the same with the Stripe stand-in's deliveries. Each deployment
// finalizes its own purchase, and neither refunds the other's.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createNodeListener } from "../../confirmation-endpoint/http/node-adapter";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { startEndpoint } from "../../confirmation-endpoint/main";
import type { RunningEndpoint } from "../../confirmation-endpoint/main";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { startProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import type { ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import { fetchStatus, waitFor } from "./stand-in-stack";

const PORTAL = "http://127.0.0.1:5998";
const SECRET = "whsec_two_deployments";
const dir = mkdtempSync(join(tmpdir(), "two-deployments-"));
let provider: ProviderStandIn;
const orgs: DataverseStandIn[] = [];
const endpoints: RunningEndpoint[] = [];
let relay: ReturnType<typeof createServer>;

async function startDeployment(name: string): Promise<void> {
  const dataverse = await startDataverseStandIn({});
  orgs.push(dataverse);
  const config = loadConfig({
    DATAVERSE_URL: dataverse.url,
    DATAVERSE_TENANT_ID: dataverse.tenantId,
    DATAVERSE_CLIENT_ID: dataverse.clientId,
    DATAVERSE_CLIENT_SECRET: dataverse.clientSecret,
    DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
    PORTAL_ORIGINS: PORTAL,
    STRIPE_SECRET_KEY: "sk_test_shared_account",
    STRIPE_WEBHOOK_SECRETS: SECRET,
    STRIPE_API_BASE: provider.apiBase,
    STORE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
    DEPLOYMENT_ID: name,
    PORT: "0",
  });
  endpoints.push(await startEndpoint(config, { logger: createMemoryLogger() }));
}

beforeAll(async () => {
  provider = await startProviderStandIn({ webhookSecret: SECRET, sweepIntervalMs: 0 });
  await startDeployment("dev");
  await startDeployment("uat");
  // Every event to every endpoint, as Stripe does for all endpoints of an account.
  relay = createServer(
    createNodeListener(
      async (request) => {
        const body = await request.arrayBuffer();
        const answers = await Promise.all(
          endpoints.map((e) =>
            fetch(`${e.url}/v1/webhooks/stripe`, { method: "POST", headers: request.headers, body }),
          ),
        );
        return new Response(null, { status: answers.every((a) => a.ok) ? 200 : 500 });
      },
      () => undefined,
    ),
  );
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  provider.setWebhookUrl(`http://127.0.0.1:${(relay.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  await new Promise((resolve) => relay?.close(resolve));
  for (const e of endpoints) await e.close();
  await provider?.close();
  for (const o of orgs) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

async function payFor(index: number): Promise<string> {
  const dataverse = orgs[index]!;
  const seeded = dataverse.seed();
  const pass = seeded.paidEvent.passes[0]!;
  const { purchaseId } = dataverse.register({
    readableEventId: seeded.paidEvent.readableEventId,
    attendees: [
      { firstName: "Ada", lastName: `Tester${index}`, email: `ada${index}@example.com`, passId: pass.id },
    ],
  });
  const res = await fetch(`${endpoints[index]!.url}/v1/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL },
    body: JSON.stringify({
      purchaseId,
      readableEventId: seeded.paidEvent.readableEventId,
      returnUrl: `${PORTAL}/payment-gateway/?purchaseId=${purchaseId}`,
    }),
  });
  expect(res.status).toBe(200);
  const session = provider.state.sessions(10).find((s) => s.client_reference_id === purchaseId)!;
  expect(session.metadata).toMatchObject({ deployment: index === 0 ? "dev" : "uat" });
  provider.pay(session.id);
  return purchaseId!;
}

describe("two deployments on one Stripe account", () => {
  it("each finalizes its own purchase; zero refunds of the other's", async () => {
    const devPurchase = await payFor(0);
    const uatPurchase = await payFor(1);
    await provider.idle();
    for (const [index, purchaseId] of [devPurchase, uatPurchase].entries()) {
      const status = await waitFor(
        () => fetchStatus(endpoints[index]!, purchaseId),
        (s) => s.status === "finalized",
      );
      expect(status.status).toBe("finalized");
      expect(orgs[index]!.state.purchase(purchaseId).processed).toBe(true);
    }
    // Each endpoint saw the other's events too, and left them alone.
    await new Promise((r) => setTimeout(r, 300));
    expect(provider.state.refunds(100)).toEqual([]);
    for (const e of endpoints) {
      const summary = await e.store.summary();
      expect(summary.purchasesByState).toEqual({ finalized: 1 });
      expect(summary.refunds).toBe(0);
      expect(summary.deadLetters).toBe(0);
    }
  });
});
