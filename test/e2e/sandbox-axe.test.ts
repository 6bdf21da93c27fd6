// axe-core on the sandbox's own pages in Chromium, with no violation allowed: the fixture portal
// (home, the event page in its layout, the sign-in stand-in), the event site's pages, the Stripe
// stand-in's hosted checkout page and dashboard, and the status page (empty, then with a paid
// purchase in every table). None of them causes a 404 (no favicon request), the status page fits at
// 1280 px and refreshes itself without a meta refresh, with a pause button.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations, collectNotFound, overflowsHorizontally, registerOneAndPay } from "./axe-check";
import { useSandboxInChromium } from "./sandbox-in-chromium";

const run = useSandboxInChromium("axe");

async function check(page: Page, url: string): Promise<{ violations: string[]; missing: string[] }> {
  const missing = collectNotFound(page);
  await page.goto(url);
  await page.waitForLoadState("load");
  return { violations: await axeViolations(page), missing };
}

async function newPage(width = 1280): Promise<Page> {
  const context = await run.browser.newContext({ viewport: { width, height: 900 } });
  return context.newPage();
}

describe.skipIf(!run.haveChromium)("axe on the sandbox's pages", () => {
  it("the portal and the event site's pages: no violation, no 404, styled header and a working home link", async () => {
    const u = run.sandbox.urls;
    const page = await newPage();
    const found: string[] = [];
    for (const url of [
      `${u.portal}/`,
      `${u.portal}/about/`,
      `${u.portal}/SignIn?returnUrl=%2Fabout%2F`,
      u.paidEvent,
      u.freeEvent,
      u.registration,
      u.rtmRegistration,
      `${u.portal}/fr-FR/event?id=${run.sandbox.seed.paidEvent.readableEventId}`,
    ]) {
      const result = await check(page, url);
      found.push(
        ...result.violations.map((v) => `${url}: ${v}`),
        ...result.missing.map((m) => `${url}: 404 ${m}`),
      );
    }
    expect(found).toEqual([]);
    // The fixture portal's own look: its stylesheet is applied (no serif, no bullets), and the
    // footer's home link is a real URL, not Liquid.
    await page.goto(`${u.portal}/about/`);
    const look = await page.evaluate(() => ({
      font: getComputedStyle(document.body).fontFamily,
      bullets: getComputedStyle(document.querySelector(".site-header nav ul")!).listStyleType,
      home: document.querySelector(".site-footer a")?.getAttribute("href"),
      viewport: document.querySelectorAll('meta[name="viewport"]').length,
    }));
    expect(look).toEqual({
      font: expect.stringMatching(/system-ui/),
      bullets: "none",
      home: "/",
      viewport: 1,
    });
    await page.getByRole("link", { name: "Sign in" }).click();
    expect(await page.textContent("h1")).toBe("Sign in");
    await page.getByRole("link", { name: "Back to the page you were on" }).click();
    expect(new URL(page.url()).pathname).toBe("/about/");
    await page.context().close();
  }, 60_000);

  it("the status page: no violation empty, no meta refresh, fits at 1280 px, refreshes itself and pauses", async () => {
    const page = await newPage();
    const result = await check(page, run.sandbox.urls.status);
    expect(result).toEqual({ violations: [], missing: [] });
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    const before = await page.getAttribute("#status-live time", "datetime");
    run.sandbox.advance(60 * 60_000);
    await page.waitForFunction(
      (old) => document.querySelector("#status-live time")?.getAttribute("datetime") !== old,
      before,
      { timeout: 12_000 },
    );
    const pause = page.getByRole("button", { name: "Pause refreshing" });
    await pause.click();
    expect(await page.getAttribute("#status-pause", "aria-pressed")).toBe("true");
    const paused = await page.getAttribute("#status-live time", "datetime");
    run.sandbox.advance(60 * 60_000);
    await page.waitForTimeout(6_000);
    expect(await page.getAttribute("#status-live time", "datetime")).toBe(paused);
    await page.context().close();
  }, 60_000);

  it("a paid purchase: the hosted checkout page, the dashboard and the full status page pass; the status page fits", async () => {
    const page = await newPage();
    const missing = collectNotFound(page);
    await registerOneAndPay(page, run.sandbox, "axe");
    await page.waitForURL(`${run.sandbox.urls.providerApi}/c/pay/**`);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/event\/confirmation\?id=/, { timeout: 20_000 });
    expect(missing).toEqual([]);

    const dashboard = await check(page, run.sandbox.urls.providerDashboard);
    expect(dashboard).toEqual({ violations: [], missing: [] });
    expect(await page.locator("th:empty").count()).toBe(0);

    const status = await check(page, run.sandbox.urls.status);
    expect(status).toEqual({ violations: [], missing: [] });
    expect(await page.locator("#purchases tbody tr").count()).toBeGreaterThan(0);
    expect(await overflowsHorizontally(page)).toBe(false);
    await run.shot(page, "status-1280");
    await page.context().close();
  }, 60_000);
});
