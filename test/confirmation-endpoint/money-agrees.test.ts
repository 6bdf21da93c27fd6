// Issue #19's walk, with every part a person would use: two attendees pay, `npm run refund` (the
// command itself, as a child process with the endpoint's environment) refunds half of one
// attendee's pass; the provider stand-in, the endpoint's store, the Dataverse payments table (rows
// upserted by the running endpoint's background lane) and the three-way reconcile all show the same
// amounts.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensurePaymentsTable } from "../../confirmation-endpoint/payments-table/create-table";
import { PAYMENT_STATUS, paymentsTableNames } from "../../confirmation-endpoint/payments-table/definition";
import { reconcileThreeWay } from "../../confirmation-endpoint/reconcile/three-way";
import { endpointConfig, openEndpointParts, type EndpointParts } from "../../scripts/lib/endpoint-parts";
import { connectKitClient } from "../sandbox/dataverse-helpers";
import { fetchStatus, startStandInStack, waitFor, type StandInStack } from "./stand-in-stack";

const run = promisify(execFile);
const PORTAL = "http://127.0.0.1:5997";
let stack: StandInStack;
let parts: EndpointParts;

beforeAll(async () => {
  stack = await startStandInStack({
    portalOrigin: PORTAL,
    webhookSecret: "whsec_money_agrees",
    stripeSecretKey: "sk_test_money_agrees",
    env: { PAYMENTS_TABLE: "on", DEPLOYMENT_ID: "money-agrees" },
  });
  const client = connectKitClient(stack.dataverse);
  await ensurePaymentsTable(client, { names: paymentsTableNames() });
  client.close();
  parts = openEndpointParts(endpointConfig(stack.env));
});

afterAll(async () => {
  await parts?.close();
  await stack?.close();
});

it("refund half of one attendee's pass: provider, store, payments table and reconcile agree", async () => {
  const seeded = stack.dataverse.seed();
  const pass = seeded.paidEvent.passes[0]!;
  const purchaseId = stack.dataverse.register({
    readableEventId: seeded.paidEvent.readableEventId,
    attendees: [
      { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: pass.id },
      { firstName: "Alan", lastName: "Turing", email: "alan@example.com", passId: pass.id },
    ],
  }).purchaseId!;
  const res = await fetch(`${stack.endpoint.url}/v1/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL },
    body: JSON.stringify({
      purchaseId,
      readableEventId: seeded.paidEvent.readableEventId,
      returnUrl: `${PORTAL}/payment-gateway/?purchaseId=${purchaseId}`,
    }),
  });
  expect(res.status).toBe(200);
  const session = stack.provider.state.sessions().find((s) => s.client_reference_id === purchaseId)!;
  stack.provider.pay(session.id);
  await stack.provider.idle();
  await waitFor(
    () => fetchStatus(stack.endpoint, purchaseId),
    (s) => s.status === "finalized",
  );

  const price = Math.round(pass.price * 100);
  const half = price / 2;
  const refund = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/refund.ts",
      "--purchase",
      purchaseId,
      "--amount",
      (half / 100).toFixed(2),
      "--reason",
      "Alan comes for one day only",
      "--yes",
      "--json",
    ],
    { env: { ...process.env, ...stack.env } },
  );
  expect(JSON.parse(refund.stdout)).toMatchObject({ outcome: expect.any(String) });

  // The provider stand-in: one refund of half a pass on the purchase's payment.
  const intent = String(stack.provider.state.sessions().find((s) => s.id === session.id)!.payment_intent);
  const atProvider = stack.provider.state.refunds().filter((r) => r.payment_intent === intent);
  expect(atProvider.map((r) => [r.amount, r.status])).toEqual([[half, "succeeded"]]);

  // The store: the same refund, succeeded.
  const stored = (await parts.store.listRefunds(purchaseId)).filter((r) => r.state === "succeeded");
  expect(stored.map((r) => r.amountMinor)).toEqual([half]);

  // The payments table: the running endpoint's background lane follows the command's write.
  const rows = await waitFor(
    async () => stack.dataverse.state.list("epgk_payments"),
    (r) => r.some((row) => row.epgk_status === PAYMENT_STATUS.partially_refunded),
    20_000,
  );
  const row = rows.find((r) => r.epgk_providerpaymentid === intent);
  expect(row).toMatchObject({
    epgk_status: PAYMENT_STATUS.partially_refunded,
    epgk_amountminor: 2 * price,
    epgk_refundedminor: half,
    epgk_deploymentid: "money-agrees",
  });

  // The three-way reconcile: provider and store say the same; the registrations stay (organizer's call).
  const { lines } = await reconcileThreeWay(parts, Date.now() - 60 * 60_000);
  const line = lines.find((l) => l.purchaseId === purchaseId)!;
  expect(line.store?.refundedMinor).toBe(half);
  expect(line.payments.map((p) => p.refundedMinor)).toEqual([half]);
  expect(line.dataverse).toMatchObject({ registrations: 2 });
}, 90_000);
