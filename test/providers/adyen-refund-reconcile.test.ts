// A refund on request and the three-way reconcile with Adyen, which has no API that lists payments:
// the partial refund goes through the official library to the Adyen stand-in (pending until its
// REFUND notification), and reconcile sees Adyen through the store, re-reading each payment.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createEndpoint, type Endpoint } from "../../confirmation-endpoint/create-endpoint";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import { createNodeListener } from "../../confirmation-endpoint/http/node-adapter";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { reconcileThreeWay } from "../../confirmation-endpoint/reconcile/three-way";
import {
  executeRequestedRefund,
  planRequestedRefund,
} from "../../confirmation-endpoint/refunds/request-refund";
import { startAdyenStandIn, type AdyenStandIn } from "../../sandbox/adyen/start-adyen-stand-in";
import { FakeClock, FakeDataverse, MINUTE } from "../confirmation-endpoint/fakes";
import { CONTACT, PORTAL, PURCHASE, T0 } from "../confirmation-endpoint/harness";

const KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
const AUTH = { username: "adyen-hook", password: "hook-password-for-tests" };
let dir: string;
let clock: FakeClock;
let standIn: AdyenStandIn;
let dataverse: FakeDataverse;
let endpoint: Endpoint;
let server: Server;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "adyen-refund-"));
  clock = new FakeClock(T0 + 2 * MINUTE);
  standIn = await startAdyenStandIn({
    apiKey: "AQE-stand-in-key",
    merchantAccount: "ContosoEvents",
    hmacKey: KEY,
    basicAuth: AUTH,
    now: clock.now,
  });
  const config = loadConfig({
    DATAVERSE_URL: "https://contoso.crm.dynamics.com",
    DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
    DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
    DATAVERSE_CLIENT_SECRET: "test-only",
    PORTAL_ORIGINS: PORTAL,
    PAYMENT_PROVIDER: "adyen",
    ADYEN_API_KEY: "AQE-stand-in-key",
    ADYEN_MERCHANT_ACCOUNT: "ContosoEvents",
    ADYEN_ENVIRONMENT: "test",
    ADYEN_WEBHOOK_USERNAME: AUTH.username,
    ADYEN_WEBHOOK_PASSWORD: AUTH.password,
    ADYEN_HMAC_KEYS: KEY,
    ADYEN_API_BASE: standIn.apiBase,
    STORE_URL: `sqlite:${join(dir, "g.sqlite")}`,
  });
  dataverse = new FakeDataverse();
  dataverse.addPurchase({ purchaseId: PURCHASE, createdOn: new Date(T0).toISOString(), contactId: CONTACT });
  dataverse.finalizeScript.push({ kind: "ok" });
  endpoint = createEndpoint(config, { clock, dataverse, logger: createMemoryLogger() });
  server = createServer(createNodeListener(endpoint.handler, () => undefined));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  standIn.setWebhookUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/adyen`);
});

afterAll(async () => {
  await endpoint?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function settle(): Promise<void> {
  for (let round = 0; round < 4; round += 1) {
    await standIn.idle();
    await endpoint.worker.drain();
  }
}

/** Dataverse's registrations for the purchase, as the Web API query answers (the fake has no tables). */
const registrationsClient = {
  get: async () => ({
    status: 200,
    headers: new Headers(),
    data: { value: [{ _msevtmgt_eventregistrationid_value: "r1" }] },
  }),
} as unknown as DataverseClient;

describe("Adyen: refund on request and reconcile through the store", () => {
  it("refunds part of a finalized payment once, settles it by notification, and reconcile agrees", async () => {
    const response = await endpoint.handler(
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
    const body = (await response.json()) as { payment: { redirectUrl: string } };
    const psp = standIn.pay(body.payment.redirectUrl.split("/").at(-1)!);
    await settle();
    expect((await endpoint.store.getPurchase(PURCHASE))?.state).toBe("finalized");

    const deps = { store: endpoint.store, providers: endpoint.providers, clock };
    const request = {
      purchaseId: PURCHASE,
      amountMinor: 1000,
      note: "one day only",
      requestedBy: "finance@test",
    };
    const outcome = await executeRequestedRefund(deps, await planRequestedRefund(deps, request));
    // Adyen answers "received": the money has not gone back until its REFUND notification.
    expect(outcome).toMatchObject({ kind: "done", refund: { state: "pending", amountMinor: 1000 } });
    expect([...standIn.state.idempotency.keys()]).toContain(outcome.refund.refundKey);
    await settle();
    const stored = (await endpoint.store.listRefunds(PURCHASE)).find((r) => r.reason === "requested")!;
    expect(stored).toMatchObject({ state: "succeeded", amountMinor: 1000 });
    expect((await endpoint.store.getPurchase(PURCHASE))?.state).toBe("finalized");
    const again = await executeRequestedRefund(deps, await planRequestedRefund(deps, request));
    expect(again.kind).toBe("repeated");
    expect(standIn.state.notifications.filter((n) => n.item.eventCode === "REFUND")).toHaveLength(1);

    const { lines, sources } = await reconcileThreeWay(
      { ...deps, dataverse, dataverseClient: registrationsClient },
      T0 - MINUTE,
    );
    expect(sources.providers).toEqual({ adyen: "store" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      purchaseId: PURCHASE,
      verdict: "settled",
      payments: [{ provider: "adyen", providerPaymentId: psp, source: "re-read", paid: { minor: 2500 } }],
      store: { refundedMinor: 1000 },
    });
  });
});
