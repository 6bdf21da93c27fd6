// `npm start -- --provider paypal` in real Chromium: register → the gateway page → Pay → the PayPal
// stand-in's approval page → Pay now → back on the gateway page → the endpoint captures on the
// webhook and finalizes → the confirmation page. And Cancel at PayPal → back to the order, which can
// still be paid. Screenshots in test-output/screenshots/ (names start with "paypal-").

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../sandbox/start-sandbox";
import type { Sandbox } from "../../sandbox/start-sandbox";
import { findChromium, launchChromium } from "../../scripts/lib/chromium";
import { createSandboxSiteBuilder } from "../../scripts/start";

const RID = "Sandbox_Summit_2026";
const SHOTS = join(process.cwd(), "test-output", "screenshots");
const haveChromium = findChromium({ required: process.env.CI === "true" });
let sandbox: Sandbox;
let browser: Browser;
let dataDir: string | undefined;

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "epg-paypal-e2e-"));
  sandbox = await startSandbox({ dataDir, buildSite: createSandboxSiteBuilder(), provider: "paypal" });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `paypal-${name}.png`), fullPage: true });
const gatewayState = (page: Page, name: string, timeout = 15_000) =>
  page.waitForSelector(`#epg-root[data-state="${name}"]`, { state: "attached", timeout });

async function registerOne(page: Page, tag: string): Promise<string> {
  await page.goto(sandbox.urls.registration);
  const [pass] = sandbox.seed.paidEvent.passes;
  const first = page.locator("fieldset.es-attendee").nth(0);
  await first.getByLabel("First name").fill("Ada");
  await first.getByLabel("Last name").fill(`Lovelace-${tag}`);
  await first.getByLabel("E-mail").fill(`ada.${tag}@example.com`);
  await first.getByLabel("Pass").selectOption(pass!.id);
  await page.getByRole("button", { name: "Register and pay" }).click();
  await page.waitForURL(new RegExp(`/payment-gateway/\\?id=${RID}&purchaseId=`));
  await gatewayState(page, "summary");
  return new URL(page.url()).searchParams.get("purchaseId")!;
}

describe.skipIf(!haveChromium)("the PayPal sandbox in Chromium", () => {
  it("register → approve on the PayPal stand-in → captured → confirmation", async () => {
    const page = await (await browser.newContext({ viewport: { width: 480, height: 900 } })).newPage();
    const purchaseId = await registerOne(page, "paypal");
    await page.click(".epg-pay");
    await page.waitForURL(/\/checkoutnow\?token=/);
    expect(await page.textContent("#summary")).toContain("EUR");
    // One item per pass, sent with item_total (the stand-in refuses items that do not add up).
    expect(await page.locator("#items tbody tr").count()).toBe(1);
    await shot(page, "approval-page");
    await page.getByRole("button", { name: "Pay now" }).click();
    await page.waitForURL(`${sandbox.urls.portal}/event/confirmation?id=${RID}`, { timeout: 20_000 });
    // The confirmation page fetches this purchase's registrations after it loads.
    await page.locator("#es-registrations tbody tr").first().waitFor({ timeout: 10_000 });
    expect((await page.locator("#es-registrations tbody tr").allTextContents()).join("\n")).toContain(
      "ada.paypal@example.com",
    );
    await shot(page, "confirmation");
    expect(sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ paid: true, processed: true });
    await page.context().close();
  }, 40_000);

  it("Cancel on the PayPal stand-in → back to the order, still payable", async () => {
    const page = await (await browser.newContext({ viewport: { width: 480, height: 900 } })).newPage();
    const purchaseId = await registerOne(page, "paypal-cancel");
    await page.click(".epg-pay");
    await page.waitForURL(/\/checkoutnow\?token=/);
    await page.getByRole("button", { name: "Cancel and return" }).click();
    await page.waitForURL(/\/payment-gateway\/.*gatewayReturn=cancel/);
    await gatewayState(page, "summary");
    expect(await page.isEnabled(".epg-pay")).toBe(true);
    await shot(page, "back-to-order");
    expect(sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ paid: false, processed: false });
    await page.context().close();
  }, 40_000);
});
