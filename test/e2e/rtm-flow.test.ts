// Real-time journeys in real Chromium against the sandbox: the custom event website's page
// registers through the Dataverse stand-in's Event API, follows its redirectUrl to the endpoint's
// /v1/rtm/pay, pays on the provider stand-in's hosted page and comes back; Dynamics (the stand-in)
// confirms the registration. An abandoned one (Cancel on the hosted page) gets its pass released.
// Screenshots in test-output/screenshots/ (names start with "rtm-").
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../sandbox/start-sandbox";
import type { Sandbox } from "../../sandbox/start-sandbox";
import { findChromium, launchChromium } from "../../scripts/lib/chromium";
import { createSandboxSiteBuilder } from "../../scripts/start";

const SHOTS = join(process.cwd(), "test-output", "screenshots");

const haveChromium = findChromium({ required: process.env.CI === "true" });

let dataDir: string;
let sandbox: Sandbox;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), "epg-rtm-e2e-"));
  sandbox = await startSandbox({ dataDir, buildSite: createSandboxSiteBuilder() });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `rtm-${name}.png`), fullPage: true });

async function waitFor<T>(read: () => T, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Registers one attendee on the RTM page and lands on the provider's hosted page; returns the purchase id. */
async function registerOne(page: Page, tag: string): Promise<string> {
  await page.goto(sandbox.urls.rtmRegistration);
  await page.getByLabel("First name").fill("Katherine");
  await page.getByLabel("Last name").fill(`Johnson-${tag}`);
  await page.getByLabel("E-mail").fill(`katherine.${tag}@example.com`);
  await page.getByLabel("Pass").selectOption(sandbox.seed.paidEvent.passes[0]!.id);
  const toEndpoint = page.waitForRequest((r) =>
    r.url().startsWith(`${sandbox.urls.endpoint}/v1/rtm/pay?purchaseId=`),
  );
  await page.getByRole("button", { name: "Register and pay" }).click();
  const purchaseId = new URL((await toEndpoint).url()).searchParams.get("purchaseId")!;
  await page.waitForURL(`${sandbox.urls.providerApi}/c/pay/**`);
  return purchaseId;
}

describe.skipIf(!haveChromium)("real-time journeys in Chromium", () => {
  it("Event API registration → /v1/rtm/pay → provider Pay → back → registration confirmed in Dataverse", async () => {
    const page = await (await browser.newContext({ viewport: { width: 480, height: 900 } })).newPage();
    const purchaseId = await registerOne(page, "paid");
    expect(sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ mode: "rtm", state: "pending" });
    await shot(page, "provider-page");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/rtm\/register\?.*gatewayReturn=success/);
    expect(await page.getAttribute("#rtm-outcome", "data-outcome")).toBe("success");

    const purchase = await waitFor(
      () => sandbox.dataverse.state.purchase(purchaseId),
      (p) => p.state === "completed",
    );
    expect(purchase).toMatchObject({ state: "completed", processed: true });
    expect(purchase.registrationIds).toHaveLength(1);
    await page.reload();
    expect(await page.textContent("#rtm-registrations")).toContain("Katherine Johnson-paid");
    await shot(page, "confirmed");
    await page.context().close();
  }, 40_000);

  it("Cancel on the provider page → back on the event site, the reservation released at once", async () => {
    const passId = sandbox.seed.paidEvent.passes[0]!.id;
    const left = () =>
      Number(sandbox.dataverse.state.get("msevtmgt_passes", passId)?.msevtmgt_noofpassesleft);
    const page = await (await browser.newContext({ viewport: { width: 480, height: 900 } })).newPage();
    const before = left();
    const purchaseId = await registerOne(page, "abandoned");
    expect(left()).toBe(before - 1);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForURL(/\/rtm\/register\?.*gatewayReturn=cancel/);
    expect(await page.getAttribute("#rtm-outcome", "data-outcome")).toBe("cancel");
    await shot(page, "cancelled");

    const purchase = await waitFor(
      () => sandbox.dataverse.state.purchase(purchaseId),
      (p) => p.state === "cancelled",
    );
    expect(purchase.state).toBe("cancelled");
    expect(purchase.registrationIds).toHaveLength(0);
    expect(left()).toBe(before);
    await page.context().close();
  }, 40_000);
});
