// axe-core on the PayPal stand-in's approval page in Chromium (`npm start -- --provider paypal`),
// the page an attendee approves the order on. No violation, no 404 (no favicon request).
import { describe, expect, it } from "vitest";
import { axeViolations, collectNotFound, registerOneAndPay } from "./axe-check";
import { useSandboxInChromium } from "./sandbox-in-chromium";

const run = useSandboxInChromium("paypal-axe", { provider: "paypal" });

describe.skipIf(!run.haveChromium)("axe on the PayPal stand-in's pages", () => {
  it("the approval page", async () => {
    const page = await (await run.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const missing = collectNotFound(page);
    await registerOneAndPay(page, run.sandbox, "paypal-axe");
    await page.waitForURL(/\/checkoutnow\?token=/);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Pay now" }).click();
    await page.waitForURL(/\/event\/confirmation\?id=/, { timeout: 20_000 });
    expect(missing).toEqual([]);
    await page.context().close();
  }, 60_000);
});
