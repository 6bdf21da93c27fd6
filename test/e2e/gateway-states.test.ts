// The gateway page in every state in real Chromium (issue #20): axe-core finds no violation in any
// of them, in English on a phone and in French on a desktop; on a phone the page renders at device
// width although the fixture site's layout has no viewport tag, and it is the page's one main
// landmark; every end state links back to the event (under the French prefix on the French site)
// and names the support contact; back after a cancel, the summary says so.
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, launchChromium } from "../../scripts/lib/chromium";
import { GATEWAY_STATES, runAxe, startGatewayBench } from "../../scripts/screenshots/gateway-states";
import type { GatewayBench } from "../../scripts/screenshots/gateway-states";
import { SCENE_EVENT } from "../../scripts/screenshots/stub-endpoint";

const haveChromium = findChromium({ required: process.env.CI === "true" });
const END_STATES = new Set([
  "refund_pending",
  "refunded",
  "expired",
  "failed",
  "not_found",
  "invalid",
  "missing",
]);

let bench: GatewayBench;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  bench = await startGatewayBench();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bench?.close();
});

const phone = (): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
const desktop = (): Promise<BrowserContext> => browser.newContext({ viewport: { width: 1280, height: 800 } });

describe.skipIf(!haveChromium)("the gateway page in every state", () => {
  it.each(GATEWAY_STATES.map((s) => [s.name, s] as const))(
    "%s: English on a phone: no axe violation, device width, one main, the way back",
    async (_name, state) => {
      const context = await phone();
      const page = await context.newPage();
      await bench.show(page, state, "en");
      expect(await runAxe(page)).toEqual([]);
      const frame = await page.evaluate(() => ({
        width: window.innerWidth,
        overflow: document.documentElement.scrollWidth > window.innerWidth,
        viewportTags: document.querySelectorAll('meta[name="viewport"]').length,
        mains: document.querySelectorAll('main, [role="main"]').length,
      }));
      expect(frame).toEqual({ width: 390, overflow: false, viewportTags: 1, mains: 1 });
      if (END_STATES.has(state.name)) {
        const back = await page.getAttribute("#epg-root .epg-link", "href");
        expect(back).toBe(`${bench.portalUrl}/event?id=${SCENE_EVENT}`);
        expect(await page.textContent("#epg-root .epg-support")).toMatch(/^Need help\? Contact /);
      }
      await context.close();
    },
    30_000,
  );

  it.each(GATEWAY_STATES.map((s) => [s.name, s] as const))(
    "%s: French on a desktop: no axe violation, French text, links keep /fr-FR",
    async (_name, state) => {
      const context = await desktop();
      const page = await context.newPage();
      await bench.show(page, state, "fr");
      expect(await runAxe(page)).toEqual([]);
      expect(await page.getAttribute("#epg-root", "lang")).toBe("fr-FR");
      const hrefs = await page.$$eval("#epg-root a.epg-link", (links) =>
        links.map((a) => a.getAttribute("href")),
      );
      for (const href of hrefs) expect(href).toContain(`${bench.portalUrl}/fr-FR/`);
      await context.close();
    },
    30_000,
  );

  it("not found: 'register again', no Try again (issue #20, item 1)", async () => {
    const context = await desktop();
    const page = await context.newPage();
    await bench.show(
      page,
      GATEWAY_STATES.find((s) => s.name === "not_found")!,
      "en",
    );
    expect(await page.textContent("#epg-root h1")).toBe("Registration not found");
    expect(await page.textContent("#epg-root")).toContain("register again");
    expect(await page.getByRole("button", { name: "Try again" }).count()).toBe(0);
    await context.close();
  });

  it("back after cancelling at the provider: the summary says so and Pay is offered (issue #20, item 4)", async () => {
    const context = await desktop();
    const page = await context.newPage();
    await bench.show(
      page,
      GATEWAY_STATES.find((s) => s.name === "cancelled")!,
      "fr",
    );
    expect(await page.textContent("#epg-root .epg-notice")).toBe(
      "Votre paiement a été annulé. Vous pouvez encore payer jusqu’à la fin du temps indiqué ci-dessous.",
    );
    expect(await page.getByRole("button", { name: /^Payer/ }).isEnabled()).toBe(true);
    await context.close();
  });

  it("French: Pay → provider → back under /fr-FR → confirmation under /fr-FR (issue #20, item 2)", async () => {
    const context = await desktop();
    const page = await context.newPage();
    const confirmations: string[] = [];
    await page.route(/\/event\/confirmation/, async (route) => {
      if (route.request().isNavigationRequest()) confirmations.push(route.request().url());
      await route.fulfill({ status: 204, body: "" });
    });
    const state = GATEWAY_STATES.find((s) => s.name === "finalized")!;
    await page.goto(bench.urlFor({ ...state, query: "" }, "fr"));
    await page.waitForSelector('#epg-root[data-state="summary"]', { state: "attached" });
    const sent = bench.stub.checkouts.at(-1)!;
    expect(new URL(String(sent.returnUrl)).pathname).toBe("/fr-FR/payment-gateway/");
    expect(sent.confirmationPath).toBe("/fr-FR/event/confirmation");
    await page.getByRole("button", { name: /^Payer/ }).click();
    await page.waitForURL(/\/fr-FR\/payment-gateway\/.*gatewayReturn=success/);
    await expect
      .poll(() => confirmations)
      .toEqual([`${bench.portalUrl}/fr-FR/event/confirmation?id=${SCENE_EVENT}`]);
    await context.close();
  }, 30_000);
});
