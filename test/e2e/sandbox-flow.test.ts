// The sandbox in real Chromium, the way a person walks it after `npm start`: the event site's
// registration page → the kit's gateway page (built into the fixture portal) → the provider
// stand-in's hosted page → back → the confirmation endpoint finalizes in the Dataverse stand-in →
// the confirmation page lists the registrations. Also a declined card, and a payment whose webhook
// never arrives before the purchase expires (clock moved forward) → refunded. One screenshot per
// state in test-output/screenshots/ (names start with "sandbox-").
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useSandboxInChromium } from "./sandbox-in-chromium";

const RID = "Sandbox_Summit_2026";
const run = useSandboxInChromium("sandbox");

async function openPage(): Promise<Page> {
  const context = await run.browser.newContext({ viewport: { width: 480, height: 900 } });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (process.env.EPG_DEBUG) console.log("console:", m.text());
  });
  return page;
}

const gatewayState = (page: Page, name: string, timeout = 15_000) =>
  page.waitForSelector(`#epg-root[data-state="${name}"]`, { state: "attached", timeout });

/** Fills the registration form with two attendees (two different passes) and submits it. */
async function registerTwo(page: Page, tag: string, screenshot?: string): Promise<string> {
  await page.goto(run.sandbox.urls.paidEvent);
  await page.getByRole("link", { name: "Register" }).click();
  await page.waitForURL(/\/event\/registration\?id=/);
  const [full, day] = run.sandbox.seed.paidEvent.passes;
  const first = page.locator("fieldset.es-attendee").nth(0);
  await first.getByLabel("First name").fill("Ada");
  await first.getByLabel("Last name").fill(`Lovelace-${tag}`);
  await first.getByLabel("E-mail").fill(`ada.${tag}@example.com`);
  await first.getByLabel("Pass").selectOption(full!.id);
  await page.getByRole("button", { name: "Add another attendee" }).click();
  const second = page.locator("fieldset.es-attendee").nth(1);
  expect(await second.locator("legend").textContent()).toBe("Attendee 2");
  await second.getByLabel("First name").fill("Grace");
  await second.getByLabel("Last name").fill(`Hopper-${tag}`);
  await second.getByLabel("E-mail").fill(`grace.${tag}@example.com`);
  await second.getByLabel("Pass").selectOption(day!.id);
  expect(await page.textContent("#es-total")).toBe("€55.00");
  if (screenshot) await run.shot(page, screenshot);
  await page.getByRole("button", { name: "Register and pay" }).click();
  await page.waitForURL(new RegExp(`/payment-gateway/\\?id=${RID}&purchaseId=`));
  const purchaseId = new URL(page.url()).searchParams.get("purchaseId");
  expect(purchaseId).toMatch(/^[0-9a-f-]{36}$/);
  return purchaseId!;
}

describe.skipIf(!run.haveChromium)("sandbox in Chromium", () => {
  it("register two attendees → gateway summary → Pay → provider Pay → back → finalized → confirmation lists both", async () => {
    const page = await openPage();
    const purchaseId = await registerTwo(page, "paid", "registration");

    // The event site left the keys the real one leaves, before the full-page redirect.
    const stored = await page.evaluate(() =>
      ["purchase-id", "total", "currency", "captcha"].map((k) => sessionStorage.getItem(k)),
    );
    expect(stored).toEqual([purchaseId, "55", "€", "null"]);

    await gatewayState(page, "summary");
    expect(await page.textContent("#epg-root h1")).toBe("Sandbox Summit");
    expect(await page.textContent(".epg-total dd")).toBe("€55.00");
    await run.shot(page, "gateway-summary");

    await page.click(".epg-pay");
    await page.waitForURL(`${run.sandbox.urls.providerApi}/c/pay/**`);
    await run.shot(page, "provider-page");
    await page.getByRole("button", { name: /^Pay / }).click();

    await page.waitForURL(new RegExp(`/payment-gateway/.*gatewayReturn=success`));
    await page.waitForURL(`${run.sandbox.urls.portal}/event/confirmation?id=${RID}`, { timeout: 20_000 });
    // The confirmation page fetches this purchase's registrations after it loads.
    await page.locator("#es-registrations tbody tr").first().waitFor({ timeout: 10_000 });
    const rows = page.locator("#es-registrations tbody tr");
    const text = (await rows.allTextContents()).join("\n");
    expect(text).toContain("ada.paid@example.com");
    expect(text).toContain("grace.paid@example.com");
    expect(text).toContain("Full conference");
    expect(text).toContain("Day ticket");
    await run.shot(page, "confirmation");

    const purchase = run.sandbox.dataverse.state.purchase(purchaseId);
    expect(purchase).toMatchObject({ paid: true, processed: true });
    expect(purchase.registrationIds).toHaveLength(2);
    await page.context().close();
  }, 30_000);

  it("Decline on the provider page → a message there, and Cancel leads back to the order", async () => {
    const page = await openPage();
    const purchaseId = await registerTwo(page, "decline");
    await gatewayState(page, "summary");
    await page.click(".epg-pay");
    await page.waitForURL(`${run.sandbox.urls.providerApi}/c/pay/**`);
    await page.getByRole("button", { name: "Decline card" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/declined/i);
    await run.shot(page, "provider-declined");

    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForURL(/\/payment-gateway\/.*gatewayReturn=cancel/);
    await gatewayState(page, "summary");
    expect(await page.isEnabled(".epg-pay")).toBe(true);
    await run.shot(page, "gateway-after-cancel");

    // The way back: the gateway page's Cancel leads to the event site's event page.
    await page.click("#epg-root a.epg-cancel");
    await page.waitForURL(run.sandbox.urls.paidEvent);
    expect(await page.textContent("h1")).toBe("Sandbox Summit");
    expect(run.sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ paid: false, processed: false });
    await page.context().close();
  }, 30_000);

  it("paid but the webhook is late, the purchase expires (clock moved on) → refund on the page and at the provider", async () => {
    const page = await openPage();
    const purchaseId = await registerTwo(page, "late");
    await gatewayState(page, "summary");
    await page.click(".epg-pay");
    await page.waitForURL(`${run.sandbox.urls.providerApi}/c/pay/**`);

    // The provider takes the payment but its webhook does not reach the endpoint in time.
    run.sandbox.provider.setWebhookUrl(null);
    try {
      await page.getByRole("button", { name: /^Pay / }).click();
      await page.waitForURL(/\/payment-gateway\/.*gatewayReturn=success/);
      await gatewayState(page, "awaiting_payment");
      await run.shot(page, "gateway-awaiting-webhook");

      // 51 minutes later for Dataverse, the provider and the endpoint alike.
      run.sandbox.advance(51 * 60_000);
      await gatewayState(page, "refunded", 20_000);
      await run.shot(page, "gateway-refunded");
    } finally {
      run.sandbox.provider.setWebhookUrl(run.sandbox.webhookUrl);
    }

    const intent = run.sandbox.provider.state
      .paymentIntents()
      .find((p) => p.metadata?.purchaseId === purchaseId);
    expect(intent).toBeDefined();
    const refunds = run.sandbox.provider.state.refunds().filter((r) => r.payment_intent === intent!.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amount: 5500, currency: "eur", status: "succeeded" });
    expect(run.sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ processed: false });

    const status = (await (await fetch(`${run.sandbox.urls.status}.json`)).json()) as {
      refunds: Array<{ purchaseId: string; state: string }>;
      providerRefunds: Array<{ id: string }>;
    };
    expect(status.refunds.find((r) => r.purchaseId === purchaseId)).toMatchObject({ state: "succeeded" });
    expect(status.providerRefunds.map((r) => r.id)).toContain(refunds[0]!.id);

    const dashboard = await openPage();
    await dashboard.goto(run.sandbox.urls.providerDashboard);
    expect(await dashboard.textContent("body")).toContain(refunds[0]!.id);
    await run.shot(dashboard, "provider-dashboard-refund");
    await dashboard.context().close();
    await page.context().close();
  }, 30_000);
});
