// Issue #20 walked in the sandbox in real Chromium: a French attendee stays on French pages from
// /fr-FR/event through the gateway, the provider and back to the confirmation, even after starting
// the payment in English (item 2); the provider's page shows one line per pass (item 3); the
// confirmation page shows only this purchase's attendees, with dates in the page's language and a
// table that fits a phone (item 12); a purchase Dataverse does not know says "register again" (item 1).
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useSandboxInChromium } from "./sandbox-in-chromium";

const RID = "Sandbox_Summit_2026";
const run = useSandboxInChromium("edges");

async function openPage(width = 480): Promise<Page> {
  const context = await run.browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 500 });
  return context.newPage();
}

const gatewayState = (page: Page, name: string) =>
  page.waitForSelector(`#epg-root[data-state="${name}"]`, { state: "attached", timeout: 15_000 });

/** Registers one attendee per pass given, from the event page under `prefix`; the purchase id. */
async function register(page: Page, prefix: string, tag: string, passes: number[]): Promise<string> {
  await page.goto(run.sandbox.urls.paidEvent.replace("/event?", `${prefix}/event?`));
  await page.getByRole("link", { name: "Register" }).click();
  await page.waitForURL(new RegExp(`${prefix}/event/registration\\?id=`));
  const all = run.sandbox.seed.paidEvent.passes;
  for (const [i, pass] of passes.entries()) {
    if (i > 0) await page.getByRole("button", { name: "Add another attendee" }).click();
    const fieldset = page.locator("fieldset.es-attendee").nth(i);
    await fieldset.getByLabel("First name").fill(`Person${i + 1}`);
    await fieldset.getByLabel("Last name").fill(`${tag}-${i + 1}`);
    await fieldset.getByLabel("E-mail").fill(`p${i + 1}.${tag}@example.com`);
    await fieldset.getByLabel("Pass").selectOption(all[pass]!.id);
  }
  await page.getByRole("button", { name: "Register and pay" }).click();
  await page.waitForURL(new RegExp(`${prefix}/payment-gateway/\\?id=${RID}&purchaseId=`));
  return new URL(page.url()).searchParams.get("purchaseId")!;
}

describe.skipIf(!run.haveChromium)("issue #20 in the sandbox", () => {
  it("French all the way, after starting in English; one line per pass; only this purchase on the confirmation", async () => {
    // Someone else's purchase of the same event, finalized first: it must not show below.
    const other = await openPage(1280);
    await register(other, "", "other", [0]);
    await gatewayState(other, "summary");
    await other.click(".epg-pay");
    await other.waitForURL(`${run.sandbox.urls.providerApi}/c/pay/**`);
    await other.getByRole("button", { name: /^Pay / }).click();
    await other.waitForURL(/\/event\/confirmation\?id=/, { timeout: 20_000 });
    await other.context().close();

    const page = await openPage(390);
    const purchaseId = await register(page, "/fr-FR", "fr", [0, 0, 1]);
    await gatewayState(page, "summary");
    // Start in English: the same gateway page without the prefix, to the provider and back by Cancel.
    await page.goto(page.url().replace("/fr-FR/", "/"));
    await gatewayState(page, "summary");
    await page.click(".epg-pay");
    await page.waitForURL(`${run.sandbox.urls.providerApi}/c/pay/**`);
    const lines = await page.locator("table tbody tr").allTextContents();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/Full conference.*2/);
    expect(lines[1]).toMatch(/Day ticket.*1/);
    await run.shot(page, "provider-lines");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForURL(/\/payment-gateway\/.*gatewayReturn=cancel/);
    expect(new URL(page.url()).pathname).toBe("/payment-gateway/");
    // Switch to French and pay: the provider brings the attendee back to the French page.
    await page.goto(page.url().replace("/payment-gateway/", "/fr-FR/payment-gateway/"));
    await gatewayState(page, "summary");
    await page.click(".epg-pay");
    await page.waitForURL(`${run.sandbox.urls.providerApi}/c/pay/**`);
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/fr-FR\/payment-gateway\/.*gatewayReturn=success/);
    await page.waitForURL(`${run.sandbox.urls.portal}/fr-FR/event/confirmation?id=${RID}`, {
      timeout: 20_000,
    });

    await page.locator("#es-registrations tbody tr").first().waitFor({ timeout: 10_000 });
    const rows = await page.locator("#es-registrations tbody tr").allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows.join("\n")).toContain("p1.fr@example.com");
    expect(rows.join("\n")).not.toContain("other@example.com");
    expect(rows.join("\n")).not.toContain("other-1");
    // Dates in French (e.g. "7 déc. 2026, 03:15"), not raw ISO.
    const dates = await page.locator("#es-registrations time").allTextContents();
    expect(dates[0]).not.toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(dates[0]).toMatch(/ (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? \d{4}/);
    // On a phone the table fits and no word is broken in two.
    const fit = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth > window.innerWidth,
      broken: [
        ...document.querySelectorAll("#es-registrations th, #es-registrations td:not(.es-email)"),
      ].some(
        (cell) =>
          getComputedStyle(cell).overflowWrap === "anywhere" ||
          getComputedStyle(cell).wordBreak === "break-all",
      ),
    }));
    expect(fit).toEqual({ overflow: false, broken: false });
    await run.shot(page, "confirmation-fr-phone");
    expect(run.sandbox.dataverse.state.purchase(purchaseId)).toMatchObject({ paid: true, processed: true });
    await page.context().close();
  }, 90_000);

  it("a purchase Dataverse does not know: 'Registration not found', register again, no Try again", async () => {
    const page = await openPage(1280);
    await page.goto(
      `${run.sandbox.urls.portal}/payment-gateway/?id=${RID}&purchaseId=0f0f0f0f-0000-4000-8000-000000000000`,
    );
    await gatewayState(page, "not_found");
    expect(await page.textContent("#epg-root h1")).toBe("Registration not found");
    expect(await page.getByRole("button", { name: "Try again" }).count()).toBe(0);
    expect(await page.getAttribute("#epg-root .epg-link", "href")).toBe(
      `${run.sandbox.urls.portal}/event?id=${RID}`,
    );
    await page.context().close();
  }, 30_000);
});
