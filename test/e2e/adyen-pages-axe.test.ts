// axe-core on the Adyen stand-in's pages in Chromium (`npm start -- --provider adyen`): the hosted
// payment page an attendee lands on, and the dashboard once a payment and its notification exist.
// No violation, no 404 (no favicon request).
import { describe, expect, it } from "vitest";
import { axeViolations, collectNotFound, registerOneAndPay } from "./axe-check";
import { useSandboxInChromium } from "./sandbox-in-chromium";

const run = useSandboxInChromium("adyen-axe", { provider: "adyen" });

describe.skipIf(!run.haveChromium)("axe on the Adyen stand-in's pages", () => {
  it("the hosted payment page and the dashboard", async () => {
    const page = await (await run.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const missing = collectNotFound(page);
    const adyen = run.sandbox.adyen!.standIn;
    await registerOneAndPay(page, run.sandbox, "adyen-axe");
    await page.waitForURL(`${adyen.url}/pay/**`);
    expect(await axeViolations(page)).toEqual([]);
    await page.click("#pay");
    await page.waitForURL(/\/event\/confirmation\?id=/, { timeout: 20_000 });
    await page.goto(`${adyen.url}/dashboard`);
    expect(await page.locator("#pay, td").count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    expect(missing).toEqual([]);
    await page.context().close();
  }, 60_000);
});
