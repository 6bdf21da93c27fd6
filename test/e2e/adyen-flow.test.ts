// The sandbox with Adyen (npm start -- --provider adyen) in real Chromium: register → the kit's
// gateway page, which names Adyen → the Adyen stand-in's hosted page → Pay → back → finalized →
// confirmation. Also a declined payment (the page stays open, Cancel comes back to the order), and
// a payment whose notification is late while the purchase expires → refunded through the
// modifications API. Screenshots in test-output/screenshots/ (names start with "adyen-").
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useSandboxInChromium } from "./sandbox-in-chromium";

const RID = "Sandbox_Summit_2026";
const run = useSandboxInChromium("adyen", { provider: "adyen" });

const gatewayState = (page: Page, name: string, timeout = 15_000) =>
  page.waitForSelector(`#epg-root[data-state="${name}"]`, { state: "attached", timeout });

/** Registers one attendee on the paid event and waits for the gateway page's order summary. */
async function registerOne(tag: string): Promise<{ page: Page; purchaseId: string }> {
  const context = await run.browser.newContext({ viewport: { width: 480, height: 900 } });
  const page = await context.newPage();
  await page.goto(run.sandbox.urls.paidEvent);
  await page.getByRole("link", { name: "Register" }).click();
  await page.waitForURL(/\/event\/registration\?id=/);
  const attendee = page.locator("fieldset.es-attendee").nth(0);
  await attendee.getByLabel("First name").fill("Ada");
  await attendee.getByLabel("Last name").fill(`Lovelace-${tag}`);
  await attendee.getByLabel("E-mail").fill(`ada.${tag}@example.com`);
  await attendee.getByLabel("Pass").selectOption(run.sandbox.seed.paidEvent.passes[0]!.id);
  await page.getByRole("button", { name: "Register and pay" }).click();
  await page.waitForURL(new RegExp(`/payment-gateway/\\?id=${RID}&purchaseId=`));
  const purchaseId = new URL(page.url()).searchParams.get("purchaseId")!;
  await gatewayState(page, "summary");
  return { page, purchaseId };
}

async function toAdyenPage(page: Page): Promise<void> {
  await page.click(".epg-pay");
  await page.waitForURL(`${run.sandbox.adyen!.standIn.url}/pay/**`);
}

describe.skipIf(!run.haveChromium)("sandbox with Adyen in Chromium", () => {
  it("register → gateway names Adyen → Pay on the Adyen page → back → finalized → confirmation", async () => {
    const { page, purchaseId } = await registerOne("paid");
    expect(await page.textContent("#epg-root")).toContain("Adyen");
    await run.shot(page, "gateway-summary");
    await toAdyenPage(page);
    // The payment link's lineItems: one row per pass.
    expect(await page.locator("#lines tbody tr").count()).toBe(1);
    await run.shot(page, "hosted-page");
    await page.click("#pay");
    await page.waitForURL(/\/payment-gateway\/.*gatewayReturn=success/);
    await page.waitForURL(`${run.sandbox.urls.portal}/event/confirmation?id=${RID}`, { timeout: 20_000 });
    // The confirmation page fetches this purchase's registrations after it loads.
    await page.locator("#es-registrations tbody tr").first().waitFor({ timeout: 10_000 });
    expect((await page.locator("#es-registrations tbody tr").allTextContents()).join("\n")).toContain(
      "ada.paid@example.com",
    );
    await run.shot(page, "confirmation");
    expect(run.sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ paid: true, processed: true });
    const payments = [...run.sandbox.adyen!.standIn.state.payments.values()];
    expect(payments.filter((p) => p.merchantReference === purchaseId && p.authorised)).toHaveLength(1);
    await page.context().close();
  }, 40_000);

  it("Decline on the Adyen page → a message there; Cancel comes back to the gateway page, nothing paid", async () => {
    const { page, purchaseId } = await registerOne("decline");
    await toAdyenPage(page);
    await page.click("#decline");
    expect(await page.textContent("#note")).toMatch(/declined/i);
    await run.shot(page, "hosted-declined");
    await page.click("#cancel");
    await page.waitForURL(/\/payment-gateway\//);
    await gatewayState(page, "awaiting_payment");
    await run.shot(page, "gateway-after-cancel");
    expect(run.sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ paid: false, processed: false });
    await page.context().close();
  }, 40_000);

  it("paid, the notification is late and the purchase expires → refunded at Adyen, shown on the page", async () => {
    const { page, purchaseId } = await registerOne("late");
    await toAdyenPage(page);
    const adyen = run.sandbox.adyen!;
    adyen.standIn.setWebhookUrl(null);
    try {
      await page.click("#pay");
      await page.waitForURL(/\/payment-gateway\/.*gatewayReturn=success/);
      await gatewayState(page, "awaiting_payment");
      run.sandbox.advance(51 * 60_000);
    } finally {
      adyen.attach(run.sandbox.urls.endpoint);
    }
    // The stand-in delivers what it owes on the next due run; keep the clock moving until it does.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(await page.$('#epg-root[data-state="refunded"]'))) {
      run.sandbox.advance(60_000);
      await page.waitForTimeout(500);
    }
    await gatewayState(page, "refunded", 1_000);
    await run.shot(page, "gateway-refunded");
    const payment = [...adyen.standIn.state.payments.values()].find(
      (p) => p.merchantReference === purchaseId,
    )!;
    expect(
      adyen.standIn.state.modifications.filter((m) => m.paymentPspReference === payment.pspReference),
    ).toEqual([expect.objectContaining({ kind: "REFUND", success: true })]);
    expect(run.sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ processed: false });
    await page.context().close();
  }, 60_000);
});
