// Adding a provider touches its own folder and the registry list only: here a test-only provider is
// handed to loadConfig and createEndpoint as the registry, and a purchase goes from checkout to a
// finalized registration through it (asynchronous verification, no expiry call, approved → capture,
// its own acknowledgement), with Stripe still configured beside it for the rows Stripe took.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createEndpoint } from "../../confirmation-endpoint/create-endpoint";
import type { Endpoint } from "../../confirmation-endpoint/create-endpoint";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { PROVIDER_PLUGINS } from "../../confirmation-endpoint/providers/registry";
import { FakeClock, FakeDataverse, MINUTE } from "../confirmation-endpoint/fakes";
import { CONTACT, PORTAL, PURCHASE, T0, ENDPOINT_ENV } from "../confirmation-endpoint/harness";
import type { TestPayAdapter } from "./test-only/plugin";
import { testPayProvider } from "./test-only/plugin";

const ENV = {
  ...ENDPOINT_ENV,
  PAYMENT_PROVIDER: "testpay",
  TESTPAY_SECRET: "not-a-real-secret",
};

let endpoint: Endpoint | null = null;
let dir: string | null = null;
afterEach(async () => {
  await endpoint?.close();
  endpoint = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a provider registered from outside the core", () => {
  it("is refused by name until it is in the registry list", () => {
    expect(() => loadConfig(ENV)).toThrow(/PAYMENT_PROVIDER: must be one of "stripe"/);
  });

  it("takes a purchase from checkout to finalized: approved, captured once, acknowledged its own way", async () => {
    dir = mkdtempSync(join(tmpdir(), "testpay-"));
    const plugins = [...PROVIDER_PLUGINS, testPayProvider];
    const config = loadConfig({ ...ENV, STORE_URL: `sqlite:${join(dir, "g.sqlite")}` }, undefined, plugins);
    expect(config.providers.configured.map((p) => p.name).sort()).toEqual(["stripe", "testpay"]);
    const clock = new FakeClock(T0 + 2 * MINUTE);
    const dataverse = new FakeDataverse();
    dataverse.addPurchase({
      purchaseId: PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    dataverse.finalizeScript.push({ kind: "ok" });
    endpoint = createEndpoint(config, { plugins, clock, dataverse, logger: createMemoryLogger() });
    const adapter = endpoint.providers.active as TestPayAdapter;
    expect(endpoint.providers.get("stripe")?.name).toBe("stripe");

    const checkout = await endpoint.handler(
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
    expect(checkout.status).toBe(200);
    const [order] = [...adapter.orders.values()];
    const { body, signature } = adapter.approve(order!.id);

    const bad = await endpoint.handler(
      new Request("http://127.0.0.1/v1/webhooks/testpay", {
        method: "POST",
        headers: { "x-testpay-signature": "0".repeat(64) },
        body,
      }),
    );
    expect(bad.status).toBe(400);
    const send = () =>
      endpoint!.handler(
        new Request("http://127.0.0.1/v1/webhooks/testpay", {
          method: "POST",
          headers: { "x-testpay-signature": signature },
          body,
        }),
      );
    const ack = await send();
    expect([ack.status, ack.headers.get("content-type"), await ack.text()]).toEqual([
      200,
      "text/plain",
      "[accepted]",
    ]);
    await send();

    await endpoint.worker.drain();
    expect(adapter.captures).toEqual([`capture:${order!.id}`]);
    expect(dataverse.finalizeCount()).toBe(1);
    const purchase = await endpoint.store.getPurchase(PURCHASE);
    expect(purchase).toMatchObject({
      state: "finalized",
      winningPaymentId: order!.id,
      winningProvider: "testpay",
    });
    // The guard and close jobs run later without an expiry call (the provider has none).
    clock.advance(60 * MINUTE);
    await endpoint.worker.drain();
    expect((await endpoint.store.getPurchase(PURCHASE))!.state).toBe("finalized");
  });
});
