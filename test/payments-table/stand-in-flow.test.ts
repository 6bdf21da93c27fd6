// The payments table and the provider's receipt with every real part: the endpoint (real Dataverse
// client, official Stripe SDK) against the Dataverse and Stripe stand-ins. The table is made by the
// create command's code; a paid purchase ends as one finalized row; the receipt goes to the
// purchasing contact's e-mail, else the first attendee's; the e-mail is never logged; and with
// SEND_PROVIDER_RECEIPTS=false no e-mail reaches the provider.
import { afterEach, describe, expect, it } from "vitest";
import { ensurePaymentsTable } from "../../confirmation-endpoint/payments-table/create-table";
import { PAYMENT_STATUS, paymentsTableNames } from "../../confirmation-endpoint/payments-table/definition";
import {
  fetchStatus,
  startStandInStack,
  waitFor,
  type StandInStack,
} from "../confirmation-endpoint/stand-in-stack";
import { connectKitClient } from "../sandbox/dataverse-helpers";

const PORTAL = "http://127.0.0.1:5999";
let stack: StandInStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function start(env: Record<string, string>) {
  stack = await startStandInStack({
    portalOrigin: PORTAL,
    webhookSecret: "whsec_payments_table_test",
    stripeSecretKey: "sk_test_payments_table",
    env,
  });
  return stack;
}

/** Register two attendees and check out; `buyerEmail` replaces the purchasing contact's e-mail ("" clears it). */
async function registerAndCheckout(s: StandInStack, buyerEmail: string | null) {
  const seeded = s.dataverse.seed();
  const pass = seeded.paidEvent.passes[0]!;
  const purchaseId = s.dataverse.register({
    readableEventId: seeded.paidEvent.readableEventId,
    attendees: [
      { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: pass.id },
      { firstName: "Bob", lastName: "Babbage", email: "bob@example.com", passId: pass.id },
    ],
  }).purchaseId!;
  if (buyerEmail !== null) {
    const contactId = String(
      s.dataverse.state.get("msevtmgt_eventpurchases", purchaseId)!._msevtmgt_purchasingcontactid_value,
    );
    const client = connectKitClient(s.dataverse);
    await client.patch(`contacts(${contactId})`, { emailaddress1: buyerEmail === "" ? null : buyerEmail });
    client.close();
  }
  const res = await fetch(`${s.endpoint.url}/v1/checkout`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL },
    body: JSON.stringify({
      purchaseId,
      readableEventId: seeded.paidEvent.readableEventId,
      returnUrl: `${PORTAL}/payment-gateway/?purchaseId=${purchaseId}`,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return { purchaseId, pass };
}

describe("payments table and receipts, end to end on the stand-ins", () => {
  it("a paid purchase becomes one finalized row; the receipt goes to the purchasing contact, unlogged", async () => {
    const s = await start({ PAYMENTS_TABLE: "on", DEPLOYMENT_ID: "stand-in-test" });
    const client = connectKitClient(s.dataverse);
    await ensurePaymentsTable(client, { names: paymentsTableNames() });
    client.close();
    const { purchaseId, pass } = await registerAndCheckout(s, "buyer@example.com");
    const session = s.provider.state.sessions(1)[0]!;
    s.provider.pay(session.id);
    await s.provider.idle();
    await waitFor(
      () => fetchStatus(s.endpoint, purchaseId),
      (st) => st.status === "finalized",
    );
    const intent = s.provider.state.paymentIntents(1)[0]!;
    expect(intent.receipt_email).toBe("buyer@example.com");
    const rows = await waitFor(
      () => s.dataverse.state.list("epgk_payments"),
      (r) => r.length === 1 && r[0]!.epgk_status === PAYMENT_STATUS.finalized,
      15_000,
    );
    expect(rows[0]).toMatchObject({
      epgk_providerpaymentid: intent.id,
      epgk_provider: "stripe",
      _epgk_purchaseid_value: purchaseId,
      epgk_status: PAYMENT_STATUS.finalized,
      epgk_amountminor: Math.round(pass.price * 100) * 2,
      epgk_currencycode: "EUR",
      epgk_deploymentid: "stand-in-test",
    });
    const logged = JSON.stringify(s.logger.entries);
    expect(logged).not.toContain("buyer@example.com");
    expect(logged).not.toContain("ada@example.com");
  });

  it("a contact without an e-mail: the receipt goes to the first attendee", async () => {
    const s = await start({});
    await registerAndCheckout(s, "");
    const session = s.provider.state.sessions(1)[0]!;
    s.provider.pay(session.id);
    await s.provider.idle();
    expect(s.provider.state.paymentIntents(1)[0]!.receipt_email).toBe("ada@example.com");
  });

  it("SEND_PROVIDER_RECEIPTS=false: no e-mail reaches the provider", async () => {
    const s = await start({ SEND_PROVIDER_RECEIPTS: "false" });
    await registerAndCheckout(s, null);
    const session = s.provider.state.sessions(1)[0]!;
    s.provider.pay(session.id);
    await s.provider.idle();
    expect(s.provider.state.paymentIntents(1)[0]!.receipt_email).toBeNull();
    expect(session.customer_email).toBeNull();
  });
});
