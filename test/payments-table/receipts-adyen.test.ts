// The receipt address on Adyen: the kit's adapter (official library) puts the buyer's e-mail on the
// payment link as shopperEmail and the Adyen stand-in records it; without one, none is sent.
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { buildProviders } from "../../confirmation-endpoint/create-endpoint";
import { systemClock } from "../../confirmation-endpoint/clock";
import { startAdyenStandIn, type AdyenStandIn } from "../../sandbox/adyen/start-adyen-stand-in";
import { PORTAL, PURCHASE } from "../confirmation-endpoint/harness";

const KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
let standIn: AdyenStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function adyenAdapter() {
  standIn = await startAdyenStandIn({
    apiKey: "AQE-receipt-test",
    merchantAccount: "ContosoEvents",
    hmacKey: KEY,
  });
  const config = loadConfig({
    DATAVERSE_URL: "https://contoso.crm.dynamics.com",
    DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
    DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
    DATAVERSE_CLIENT_SECRET: "test-only",
    PORTAL_ORIGINS: PORTAL,
    PAYMENT_PROVIDER: "adyen",
    ADYEN_API_KEY: "AQE-receipt-test",
    ADYEN_MERCHANT_ACCOUNT: "ContosoEvents",
    ADYEN_ENVIRONMENT: "test",
    ADYEN_HMAC_KEYS: KEY,
    ADYEN_API_BASE: standIn.apiBase,
  });
  return buildProviders(config, systemClock).active;
}

const request = (receiptEmail?: string) => ({
  purchaseId: PURCHASE,
  readableEventId: "Paid_Event1479011247",
  userId: null,
  mode: "outbound",
  amount: { minor: 2500, currency: "EUR" },
  description: "Ticket",
  locale: null,
  successUrl: `${PORTAL}/pay/?s=1`,
  cancelUrl: `${PORTAL}/pay/?c=1`,
  closeAt: new Date(Date.now() + 40 * 60_000),
  ...(receiptEmail ? { receiptEmail } : {}),
});

describe("receipts on Adyen", () => {
  it("the payment link carries the buyer's e-mail as shopperEmail", async () => {
    const adapter = await adyenAdapter();
    const session = await adapter.createCheckout(request("buyer@example.com"), { idempotencyKey: "k1" });
    expect(standIn!.state.links.get(session.providerSessionId)?.shopperEmail).toBe("buyer@example.com");
  });

  it("without an e-mail no shopperEmail is sent", async () => {
    const adapter = await adyenAdapter();
    const session = await adapter.createCheckout(request(), { idempotencyKey: "k2" });
    expect(standIn!.state.links.get(session.providerSessionId)?.shopperEmail).toBeNull();
  });
});
