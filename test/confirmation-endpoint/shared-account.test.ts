// Issue #14, item 1: several deployments on one provider account, and a store that lost what it
// knew. A payment the store does not know is never refunded before Dataverse is asked; another
// deployment's payment is acknowledged and left alone.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createEndpoint } from "../../confirmation-endpoint/create-endpoint";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { createProviderSet } from "../../confirmation-endpoint/providers/registry";
import { FakeClock, FakeDataverse, FakeProvider, MINUTE, sign } from "./fakes";
import { CONTACT, ENDPOINT_ENV, OTHER_PURCHASE, PORTAL, PURCHASE, T0, useHarness } from "./harness";
import type { Harness } from "./harness";

let h: Harness;
useHarness((created) => (h = created));
const EUR = (minor: number) => ({ minor, currency: "EUR" });

describe("a payment for a purchase this store does not know", () => {
  it("another deployment's payment on the same account: acknowledged, not refunded, nothing recorded", async () => {
    const other = h.provider.addForeignPaidSession(OTHER_PURCHASE, EUR(2500), "uat-deployment");
    expect((await h.app(h.webhookRequest(h.completedEvent(other.id)))).status).toBe(200);
    await h.settle();
    expect(h.provider.refundCount()).toBe(0);
    expect(await h.store.listDeadLetters()).toEqual([]);
    expect(h.dataverse.finalizeCount()).toBe(0);
  });

  it("Dataverse has it paid (a lost or restored store): recorded as settled, not refunded", async () => {
    h.dataverse.addPurchase({
      purchaseId: OTHER_PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    h.dataverse.registrations.set(OTHER_PURCHASE, 1);
    const paid = h.provider.addForeignPaidSession(OTHER_PURCHASE, EUR(2500));
    await h.app(h.webhookRequest(h.completedEvent(paid.id)));
    await h.settle();
    expect(h.provider.refundCount()).toBe(0);
    expect(await h.store.getPayment("stripe", paid.paymentId!)).toMatchObject({ state: "settled" });
    expect(
      (await h.store.reconcileReport(h.clock.now())).settledElsewhere.map((p) => p.providerPaymentId),
    ).toEqual([paid.paymentId]);
  });

  it("ours, in Dataverse, unpaid and in time: adopted into the store and finalized", async () => {
    h.dataverse.addPurchase({
      purchaseId: OTHER_PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const paid = h.provider.addForeignPaidSession(OTHER_PURCHASE, EUR(2500));
    await h.app(h.webhookRequest(h.completedEvent(paid.id)));
    await h.settle();
    expect(h.provider.refundCount()).toBe(0);
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(await h.store.getPurchase(OTHER_PURCHASE)).toMatchObject({
      state: "finalized",
      winningPaymentId: paid.paymentId,
    });
  });

  it("ours and no such purchase in Dataverse: nobody's registration, refunded", async () => {
    const paid = h.provider.addForeignPaidSession(OTHER_PURCHASE, EUR(1000));
    await h.app(h.webhookRequest(h.completedEvent(paid.id)));
    await h.settle();
    expect([...h.provider.refunds.keys()]).toEqual([`refund:${paid.paymentId}:unknown_purchase`]);
  });

  it("no deployment id (made before deployment ids, maybe another deployment's): held for a person, not refunded", async () => {
    const paid = h.provider.addForeignPaidSession(OTHER_PURCHASE, EUR(1000), null);
    await h.app(h.webhookRequest(h.completedEvent(paid.id)));
    await h.settle();
    expect(h.provider.refundCount()).toBe(0);
    expect((await h.store.listDeadLetters()).map((d) => d.reason)).toEqual(["unknown_payment_held"]);
  });
});

describe("the store is lost after a finalize", () => {
  it("redelivered events of a finalized purchase: zero refunds, the payment reported as settled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lost-store-"));
    const clock = new FakeClock(T0 + 2 * MINUTE);
    const dataverse = new FakeDataverse();
    dataverse.addPurchase({
      purchaseId: PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    dataverse.finalizeScript.push({ kind: "ok" });
    const provider = new FakeProvider(clock);
    const env = {
      ...ENDPOINT_ENV,
      DEPLOYMENT_ID: "test-deployment",
    };
    const start = (file: string) =>
      createEndpoint(loadConfig({ ...env, STORE_URL: `sqlite:${join(dir, file)}` }), {
        clock,
        dataverse,
        providers: createProviderSet(provider),
        logger: createMemoryLogger(),
      });
    const webhook = (sessionId: string, paymentId: string) => {
      const body = JSON.stringify({
        id: `evt_${sessionId}`,
        type: "checkout.session.completed",
        signal: "paid",
        purchaseId: PURCHASE,
        sessionId,
        paymentId,
      });
      const t = Math.floor(clock.now() / 1000);
      return new Request("http://127.0.0.1/v1/webhooks/stripe", {
        method: "POST",
        headers: { "stripe-signature": `t=${t},v1=${sign(t, body)}` },
        body,
      });
    };
    try {
      const first = start("first.sqlite");
      const checkout = await first.handler(
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
      const sessionId = [...provider.sessions.keys()][0]!;
      const paymentId = provider.pay(sessionId);
      await first.handler(webhook(sessionId, paymentId));
      await first.worker.drain();
      expect((await first.store.getPurchase(PURCHASE))!.state).toBe("finalized");
      await first.close();

      const second = start("restored-empty.sqlite");
      expect((await second.handler(webhook(sessionId, paymentId))).status).toBe(200);
      await second.worker.drain();
      expect(provider.refundCount()).toBe(0);
      expect(dataverse.finalizeCount()).toBe(1);
      expect(await second.store.getPayment("stripe", paymentId)).toMatchObject({ state: "settled" });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
