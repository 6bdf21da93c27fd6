// axe-core in real Chromium for the browser tests: the library is evaluated in the page through the
// DevTools protocol (which a page's CSP does not block, so the stand-ins' strict pages can be
// checked as served), and every violation comes back as one readable line. Also: every 404 a page
// causes (a missing favicon, a broken stylesheet) is collected, so a test can say there is none.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import type { Sandbox } from "../../sandbox/start-sandbox";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeResult {
  violations: Array<{
    id: string;
    impact: string | null;
    help: string;
    nodes: Array<{ target: unknown[] }>;
  }>;
}

/** One line per violation: rule, impact, what it asks and where; [] when the page passes. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<unknown> } })
      .axe;
    return axe.run(document, { resultTypes: ["violations"] });
  });
  return (result as AxeResult).violations.map(
    (v) => `${v.id} (${v.impact ?? "?"}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

/** Starts collecting the URLs of the page's requests that answer 404. */
export function collectNotFound(page: Page): string[] {
  const missing: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 404) missing.push(response.url());
  });
  return missing;
}

/** Whether the document is wider than the window (a horizontal scroll bar at this width). */
export function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

/** Registers one attendee on the sandbox's registration page and presses Pay on the gateway page. */
export async function registerOneAndPay(page: Page, sandbox: Sandbox, tag: string): Promise<void> {
  await page.goto(sandbox.urls.registration);
  const first = page.locator("fieldset.es-attendee").nth(0);
  await first.getByLabel("First name").fill("Ada");
  await first.getByLabel("Last name").fill(`Lovelace-${tag}`);
  await first.getByLabel("E-mail").fill(`ada.${tag}@example.com`);
  await first.getByLabel("Pass").selectOption(sandbox.seed.paidEvent.passes[0]!.id);
  await page.getByRole("button", { name: "Register and pay" }).click();
  await page.waitForSelector('#epg-root[data-state="summary"]', { state: "attached", timeout: 15_000 });
  await page.click(".epg-pay");
}
