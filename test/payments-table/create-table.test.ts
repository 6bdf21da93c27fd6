// The payments table against the Dataverse stand-in, through the kit's real Dataverse client: the
// create command's code makes the table, its columns, the lookup and the key; a rerun changes
// nothing; a dry run writes nothing; a rerun after a partial creation adds only what is missing;
// and the upsert by alternate key creates a row once and then updates it.
import { afterEach, describe, expect, it } from "vitest";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import {
  columnBodies,
  paymentsTableNames,
  PAYMENT_STATUS,
} from "../../confirmation-endpoint/payments-table/definition";
import { ensurePaymentsTable } from "../../confirmation-endpoint/payments-table/create-table";
import { createPaymentsTableWriter } from "../../confirmation-endpoint/payments-table/upsert-payment";
import type { PaymentRow } from "../../confirmation-endpoint/payments-table/payment-rows";
import {
  startDataverseStandIn,
  type DataverseStandIn,
} from "../../sandbox/dataverse/start-dataverse-stand-in";
import { connectKitClient } from "../sandbox/dataverse-helpers";

let dv: DataverseStandIn | undefined;
let client: DataverseClient | undefined;
afterEach(async () => {
  client?.close();
  await dv?.close();
  dv = undefined;
  client = undefined;
});

async function setUp(dbPath?: string) {
  dv = await startDataverseStandIn(dbPath ? { dbPath } : {});
  const seed = dv.seed();
  client = connectKitClient(dv, { maxAttempts: 2 });
  return { dv, client, seed };
}

const names = paymentsTableNames("epgk");
const partCount = 1 + columnBodies(names).length + 1 + 1;

describe("npm run payments-table -- create (its code, against the stand-in)", () => {
  it("creates the table, every column, the purchase lookup and the alternate key; a rerun creates nothing", async () => {
    const { client } = await setUp();
    const first = await ensurePaymentsTable(client, { names });
    expect(first.steps).toHaveLength(partCount);
    expect(first.steps.every((s) => s.action === "created")).toBe(true);
    expect(first.entitySet).toBe("epgk_payments");
    expect(first.keyStatus).toBe("Active");

    const again = await ensurePaymentsTable(client, { names });
    expect(again.steps.map((s) => s.action)).toEqual(Array(partCount).fill("exists"));
  });

  it("a dry run reports what it would create and writes nothing", async () => {
    const { client } = await setUp();
    const dry = await ensurePaymentsTable(client, { names, dryRun: true });
    expect(dry.steps.map((s) => s.action)).toEqual(Array(partCount).fill("would create"));
    expect(dry.entitySet).toBeNull();
    await expect(client.get(`EntityDefinitions(LogicalName='${names.table}')`)).rejects.toThrow(
      /Could not find an entity/,
    );
  });

  it("finishes a partial creation: only the missing column and the key are added", async () => {
    const { client } = await setUp();
    await ensurePaymentsTable(client, { names });
    // Another table with the same layout but without the key or one column: a run that stopped half way.
    const other = paymentsTableNames("half");
    await client.post(
      "EntityDefinitions",
      (await import("../../confirmation-endpoint/payments-table/definition")).tableBody(other),
    );
    for (const { logicalName, body } of columnBodies(other)) {
      if (logicalName !== other.columns.status)
        await client.post(`EntityDefinitions(LogicalName='${other.table}')/Attributes`, body);
    }
    const result = await ensurePaymentsTable(client, { names: other });
    const created = result.steps.filter((s) => s.action === "created").map((s) => s.name);
    expect(created).toEqual([other.columns.status, other.purchaseLookup, other.keySchemaName]);
  });

  it("upserts a row by the provider payment id: created once, then updated in place, money in the row's currency", async () => {
    const { client, dv, seed } = await setUp();
    await ensurePaymentsTable(client, { names });
    const writer = createPaymentsTableWriter(client, names);
    const purchaseId = dv.register({
      readableEventId: seed.paidEvent.readableEventId,
      attendees: [
        { firstName: "Ada", lastName: "L", email: "ada@example.test", passId: seed.paidEvent.passes[0]!.id },
      ],
    }).purchaseId!;
    const row: PaymentRow = {
      provider: "stripe",
      providerPaymentId: "pi_test_1",
      purchaseId,
      readableEventId: seed.paidEvent.readableEventId,
      contactId: null,
      amountMinor: 2500,
      currency: "EUR",
      status: "finalized",
      refundedMinor: 0,
      checkoutStartedAt: Date.UTC(2026, 0, 1),
      statusChangedAt: Date.UTC(2026, 0, 1, 0, 5),
      deploymentId: "test-deploy",
    };
    await writer.upsert(row);
    await writer.upsert({ ...row, status: "partially_refunded", refundedMinor: 1000 });
    const rows = dv.state.list("epgk_payments");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      epgk_providerpaymentid: "pi_test_1",
      epgk_status: PAYMENT_STATUS.partially_refunded,
      epgk_amount: 25,
      epgk_refundedamount: 10,
      epgk_refundedminor: 1000,
      epgk_currencycode: "EUR",
      _epgk_purchaseid_value: purchaseId,
      epgk_deploymentid: "test-deploy",
    });
    expect(rows[0]!._transactioncurrencyid_value).toBeTruthy();
    const read = await client.get<Record<string, unknown>>(
      `epgk_payments(epgk_providerpaymentid='pi_test_1')?$select=epgk_status`,
    );
    expect(read.data.epgk_status).toBe(PAYMENT_STATUS.partially_refunded);
  });
});
