// The payments table from the worker's side, through the harness's webhook flow: after a finalize
// and after a refund the background lane upserts rows that match the store; it never claims while
// a finalize is pending and the main lane never claims its jobs; an upsert that hangs does not hold
// up another purchase's finalize; and with the table off no job is made.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PaymentsTableWriter } from "../../confirmation-endpoint/payments-table/upsert-payment";
import { paymentsTableNames } from "../../confirmation-endpoint/payments-table/definition";
import type { PaymentRow } from "../../confirmation-endpoint/payments-table/payment-rows";
import { paymentsTableJob } from "../../confirmation-endpoint/lifecycle/jobs";
import { createProviderSet } from "../../confirmation-endpoint/providers/registry";
import { createWorker } from "../../confirmation-endpoint/worker/worker";
import type { Worker } from "../../confirmation-endpoint/worker/worker";
import { FAKE_DEPLOYMENT, MINUTE } from "../confirmation-endpoint/fakes";
import {
  CONTACT,
  OTHER_PURCHASE,
  PORTAL,
  POLICY,
  PURCHASE,
  T0,
  createHarness,
  payAndNotify,
  type Harness,
} from "../confirmation-endpoint/harness";

/** A writer that keeps the last row per payment id, as the alternate key would; `gate` can hold an upsert. */
function recordingWriter() {
  const rows = new Map<string, PaymentRow>();
  const writes: PaymentRow[] = [];
  let gate: Promise<void> | null = null;
  const writer: PaymentsTableWriter = {
    names: paymentsTableNames(),
    async upsert(row) {
      if (gate) await gate;
      writes.push(row);
      rows.set(row.providerPaymentId, row);
      return "upserted";
    },
  };
  return {
    writer,
    rows,
    writes,
    hold() {
      let release = () => {};
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
}

let h: Harness;
let table: ReturnType<typeof recordingWriter>;
let main: Worker;
let background: Worker;

function workers(withTable: boolean) {
  const deps = {
    store: h.store,
    providers: createProviderSet(h.provider),
    dataverse: h.dataverse,
    clock: h.clock,
    logger: h.logger,
    metrics: h.metrics,
    random: () => 0.5,
    adoption: { deploymentId: FAKE_DEPLOYMENT, deadlinePolicy: POLICY, returnOrigin: PORTAL },
    ...(withTable ? { paymentsTable: { writer: table.writer, deploymentId: "dep-1" } } : {}),
  };
  main = createWorker(deps, { workerId: "main", concurrency: 4, leaseMs: 2 * MINUTE });
  background = createWorker(deps, {
    workerId: "bg",
    concurrency: 1,
    lane: "background",
    leaseMs: 2 * MINUTE,
  });
}

/** Run the main lane to rest, then the background lane. */
async function settleAll(): Promise<void> {
  await h.settle(main);
  await background.drain();
}

beforeEach(() => {
  h = createHarness();
  for (const purchaseId of [PURCHASE, OTHER_PURCHASE])
    h.dataverse.addPurchase({ purchaseId, createdOn: new Date(T0).toISOString(), contactId: CONTACT });
  table = recordingWriter();
  workers(true);
});
afterEach(async () => {
  await h.close();
});

describe("payments table upserts", () => {
  it("after finalize: one row, finalized, with the purchase's amount, event, contact and this deployment", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const { paymentId } = await payAndNotify(h);
    await settleAll();
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
    expect([...table.rows.values()]).toEqual([
      expect.objectContaining({
        provider: "stripe",
        providerPaymentId: paymentId,
        purchaseId: PURCHASE,
        readableEventId: "Paid_Event1479011247",
        contactId: CONTACT,
        amountMinor: 2500,
        currency: "EUR",
        status: "finalized",
        refundedMinor: 0,
        deploymentId: "dep-1",
      }),
    ]);
    // Paid and finalized changed the purchase twice; the job ran once, after the finalize.
    expect(table.writes.map((w) => w.status)).toEqual(["finalized"]);
  });

  it("after a refund: the refused purchase's payment reads refunded, with the refunded amount", async () => {
    h.dataverse.finalizeScript.push({ kind: "reject", reason: "event is full" });
    const { paymentId } = await payAndNotify(h);
    await settleAll();
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("refunded");
    expect(table.rows.get(paymentId)).toMatchObject({
      status: "refunded",
      refundedMinor: 2500,
      amountMinor: 2500,
    });
  });

  it("the background lane claims nothing while a finalize is pending; the main lane never claims its jobs", async () => {
    await h.store.enqueueJob(paymentsTableJob(OTHER_PURCHASE, h.clock.now()), h.clock.now());
    const now = h.clock.now();
    expect(await h.store.claimJobs({ workerId: "m", limit: 10, now, leaseMs: MINUTE })).toEqual([]);
    expect(await h.store.nextDueAt()).toBeNull();
    await payAndNotify(h);
    // The payment job decides "paid" and enqueues the finalize; its commit also queues a table job.
    await main.runOnce();
    expect((await h.store.listJobs()).some((j) => j.kind === "finalize")).toBe(true);
    expect(await background.runOnce()).toBe(0);
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await h.settle(main);
    expect(await background.drain()).toBe(2);
  });

  it("an upsert that hangs does not hold up another purchase's finalize", async () => {
    const otherSession = await h.openSession(OTHER_PURCHASE);
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const first = await payAndNotify(h);
    await main.drain();
    const release = table.hold();
    const hanging = background.runOnce();
    // While the first purchase's upsert waits on Dataverse, a second purchase is paid and finalized.
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const second = h.provider.pay(otherSession);
    await h.app(h.webhookRequest(h.completedEvent(otherSession)));
    await main.drain();
    expect((await h.store.getPurchase(OTHER_PURCHASE))!.state).toBe("finalized");
    expect(table.rows.size).toBe(0);
    release();
    expect(await hanging).toBe(1);
    await background.drain();
    expect([...table.rows.keys()].sort()).toEqual([first.paymentId, second].sort());
    expect([...table.rows.values()].map((r) => r.status)).toEqual(["finalized", "finalized"]);
  });

  it("with the table off no payments_table job is made", async () => {
    workers(false);
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify(h);
    await settleAll();
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
    expect((await h.store.listJobs()).filter((j) => j.kind === "payments_table")).toEqual([]);
    expect(table.writes).toEqual([]);
  });
});
