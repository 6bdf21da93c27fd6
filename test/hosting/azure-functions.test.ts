// The Azure Functions adapter invoked in-process: the registered functions called with
// @azure/functions' own HttpRequest and InvocationContext, against the Dataverse and Stripe
// stand-ins and a throwaway PostgreSQL cluster: checkout, the signed webhook, the status route, a
// timer tick that finalizes, a stored webhook waking the instance's worker, and SQLite refused.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Endpoint } from "../../confirmation-endpoint/create-endpoint";
import { ConfigError } from "../../confirmation-endpoint/errors";
import {
  FUNCTION_ROUTES,
  registerEndpointFunctions,
  startFunctionsEndpoint,
} from "../../confirmation-endpoint/hosting/azure-functions";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { startProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import type { ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import { waitFor } from "../confirmation-endpoint/stand-in-stack";
import { postgresBinForTests, startCluster } from "../store/postgres-cluster";
import type { PgCluster } from "../store/postgres-cluster";
import { invoke, recordRegistrations, startWebhookBridge, tick } from "./functions-harness";
import type { Recorded } from "./functions-harness";

const PORTAL = "http://127.0.0.1:5998";
const bin = postgresBinForTests();

let cluster: PgCluster;
let dataverse: DataverseStandIn;
let provider: ProviderStandIn;
const closers: Array<() => Promise<void>> = [];

function envFor(storeUrl: string): Record<string, string> {
  return {
    DATAVERSE_URL: dataverse.url,
    DATAVERSE_TENANT_ID: dataverse.tenantId,
    DATAVERSE_CLIENT_ID: dataverse.clientId,
    DATAVERSE_CLIENT_SECRET: dataverse.clientSecret,
    DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
    PORTAL_ORIGINS: PORTAL,
    STRIPE_SECRET_KEY: "sk_test_functions",
    STRIPE_WEBHOOK_SECRETS: "whsec_functions_test",
    STRIPE_API_BASE: provider.apiBase,
    STORE_URL: storeUrl,
  };
}

/** One function app instance: its registrations, its endpoint, and a bridge for the provider's webhooks. */
async function startInstance(
  storeUrl: string,
  background: boolean,
): Promise<{ app: Recorded; endpoint: Endpoint; bridge: string }> {
  const app = recordRegistrations();
  const ready = startFunctionsEndpoint(envFor(storeUrl), {
    overrides: { logger: createMemoryLogger(), missedEventsIntervalMs: 0 },
    background,
  });
  registerEndpointFunctions(app, ready);
  const endpoint = await ready;
  const bridge = await startWebhookBridge(app);
  closers.push(
    () => bridge.close(),
    () => endpoint.close(),
  );
  return { app, endpoint, bridge: bridge.url };
}

function registerPurchase() {
  const seeded = dataverse.seed();
  const pass = seeded.paidEvent.passes[0]!;
  const registration = dataverse.register({
    readableEventId: seeded.paidEvent.readableEventId,
    attendees: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: pass.id }],
  });
  return { purchaseId: registration.purchaseId!, readableEventId: seeded.paidEvent.readableEventId };
}

async function checkoutAndPay(app: Recorded, purchase: { purchaseId: string; readableEventId: string }) {
  const answer = await invoke(app, "checkout", {
    method: "POST",
    path: "/v1/checkout",
    headers: { origin: PORTAL, "content-type": "application/json" },
    body: JSON.stringify({
      ...purchase,
      returnUrl: `${PORTAL}/payment-gateway/?purchaseId=${purchase.purchaseId}`,
    }),
  });
  expect(answer.status, answer.text).toBe(200);
  expect(answer.headers["access-control-allow-origin"]).toBe(PORTAL);
  const session = provider.state.sessions(1)[0]!;
  expect(JSON.parse(answer.text).payment.redirectUrl).toContain(session.id);
  provider.pay(session.id);
  await provider.idle();
}

async function status(app: Recorded, purchaseId: string): Promise<string> {
  const answer = await invoke(app, "purchase-status", {
    method: "GET",
    path: `/v1/purchases/${purchaseId}/status`,
  });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.text) as { status: string }).status;
}

describe.skipIf(bin === null)("Azure Functions adapter", () => {
  beforeAll(async () => {
    cluster = await startCluster(bin!);
    dataverse = await startDataverseStandIn({});
    provider = await startProviderStandIn({ webhookSecret: "whsec_functions_test", sweepIntervalMs: 0 });
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await provider?.close();
    await dataverse?.close();
    await cluster?.stop();
  });

  it("registers every route anonymously and the worker timer", async () => {
    const { app } = await startInstance(await cluster.createDatabase("routes"), false);
    expect([...app.routes.keys()]).toEqual(FUNCTION_ROUTES.map((r) => r.name));
    for (const options of app.routes.values()) expect(options.authLevel).toBe("anonymous");
    expect(app.routes.get("webhook")?.route).toBe("v1/webhooks/{provider}");
    expect(app.timers.get("worker")?.schedule).toBe("*/30 * * * * *");
    expect((await invoke(app, "healthz", { method: "GET", path: "/healthz" })).status).toBe(200);
    const ready = await invoke(app, "readyz", { method: "GET", path: "/readyz" });
    expect(ready.status, ready.text).toBe(200);
  });

  it("checkout → signed webhook → paid; the timer tick finalizes in Dataverse", async () => {
    const { app, bridge } = await startInstance(await cluster.createDatabase("tick"), false);
    provider.setWebhookUrl(`${bridge}/v1/webhooks/stripe`);
    const purchase = registerPurchase();
    await checkoutAndPay(app, purchase);
    // Stored by the webhook function, decided by nobody yet: no worker runs on this instance.
    expect(await status(app, purchase.purchaseId)).toBe("paid");
    expect(dataverse.state.purchase(purchase.purchaseId).processed).toBe(false);
    await tick(app);
    expect(await status(app, purchase.purchaseId)).toBe("finalized");
    expect(dataverse.state.purchase(purchase.purchaseId).processed).toBe(true);
  });

  it("a stored webhook wakes the warm instance's worker, no timer needed", async () => {
    const { app, bridge } = await startInstance(await cluster.createDatabase("wake"), true);
    provider.setWebhookUrl(`${bridge}/v1/webhooks/stripe`);
    const purchase = registerPurchase();
    await checkoutAndPay(app, purchase);
    const final = await waitFor(
      () => status(app, purchase.purchaseId),
      (s) => s === "finalized",
    );
    expect(final).toBe("finalized");
    expect(dataverse.state.purchase(purchase.purchaseId).processed).toBe(true);
  });

  it("refuses the SQLite store with the reason, and the functions answer 503", async () => {
    const app = recordRegistrations();
    const ready = startFunctionsEndpoint(envFor("sqlite::memory:"), { background: false });
    registerEndpointFunctions(app, ready);
    const error = await ready.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("Azure Functions needs the PostgreSQL store");
    const answer = await invoke(app, "healthz", { method: "GET", path: "/healthz" });
    expect(answer.status).toBe(503);
    expect(answer.text).not.toContain("sk_test_functions");
  });
});
