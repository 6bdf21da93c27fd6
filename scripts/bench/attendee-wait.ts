// Benchmark: the attendee's wait (issue 22, item 4). In headless Chromium, through the whole
// sandbox (portal, gateway page, Stripe stand-in, endpoint, Dataverse stand-in): the time from the
// provider's redirect back to the gateway page to the confirmed state shown (the page leaving for
// the Event Portal's confirmation page), p50 and p95, and how long each attendee still waited
// after the purchase was finalized in the store. Two ways in the same run:
//  - long poll: the page as built (status requests wait for the status to change);
//  - plain polling (baseline): the same page, its status requests stripped of `wait`/`seen` on the
//    way out, so the endpoint answers at once, as for an older page or a proxy that cuts requests;
// each quiet (one attendee at a time) and in a burst (ATTENDEE_WAIT_BURST attendees paying at once).
// Target: p50 < 2 s quiet, and no attendee waits more than one poll interval (the page's 1 s first
// interval) after finalize. BENCH_QUICK=1 runs fewer attendees; ATTENDEE_WAIT_QUIET and
// ATTENDEE_WAIT_BURST set the counts. The Dataverse stand-in answers each request after
// ATTENDEE_WAIT_DATAVERSE_MS (default 500 ms; an assumption, not a measured Dataverse figure):
// with an instant stand-in, finalize would often be done before the page's first poll, and the
// figure would not show how the page learns of it.
import { verdict } from "../lib/bench-report";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { startSandbox } from "../../sandbox/start-sandbox";
import type { Sandbox } from "../../sandbox/start-sandbox";
import { launchChromium } from "../lib/chromium";
import { createSandboxSiteBuilder } from "../start";
import { percentile } from "./burst/fire-webhooks";

export const name = "attendee-wait";
export const describe =
  "provider redirect → confirmed state shown in Chromium, p50/p95 and wait after finalize: long poll vs plain polling, quiet and burst";

/** The page's first poll interval (gateway-client page-context default): the most anyone should wait after finalize. */
const POLL_INTERVAL_MS = 1000;
const RID = "Sandbox_Summit_2026";

interface Sample {
  /** Redirect back → confirmation page requested. */
  waitMs: number;
  /** Purchase finalized in the store → confirmation page requested. */
  afterFinalizeMs: number;
}

type Mode = "long-poll" | "plain";

/** Registers one attendee on the portal and opens the gateway page's summary; returns the purchase id. */
async function register(page: Page, sandbox: Sandbox, tag: string): Promise<string> {
  await page.goto(sandbox.urls.paidEvent);
  await page.getByRole("link", { name: "Register" }).click();
  await page.waitForURL(/\/event\/registration\?id=/);
  const first = page.locator("fieldset.es-attendee").nth(0);
  await first.getByLabel("First name").fill("Ada");
  await first.getByLabel("Last name").fill(`Lovelace-${tag}`);
  await first.getByLabel("E-mail").fill(`ada.${tag}@example.com`);
  await first.getByLabel("Pass").selectOption(sandbox.seed.paidEvent.passes[0]!.id);
  await page.getByRole("button", { name: "Register and pay" }).click();
  await page.waitForURL(new RegExp(`/payment-gateway/\\?id=${RID}&purchaseId=`));
  await page.waitForSelector('#epg-root[data-state="summary"]', { state: "attached", timeout: 30_000 });
  return new URL(page.url()).searchParams.get("purchaseId")!;
}

/** The moment (Date.now) the store shows the purchase finalized, polled every 10 ms. */
async function finalizedAt(sandbox: Sandbox, purchaseId: string, until: number): Promise<number> {
  while (Date.now() < until) {
    const p = await sandbox.endpoint.store.getPurchase(purchaseId);
    if (p?.state === "finalized") return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Number.NaN;
}

/** One attendee: register, pay on the stand-in's page, and time the way back to the confirmation. */
async function oneAttendee(context: BrowserContext, sandbox: Sandbox, tag: string): Promise<Sample> {
  const page = await context.newPage();
  try {
    const purchaseId = await register(page, sandbox, tag);
    await page.click(".epg-pay");
    await page.waitForURL(`${sandbox.urls.providerApi}/c/pay/**`);
    let returnedAt = Number.NaN;
    let confirmedAt = Number.NaN;
    // When the browser sent each request (its own clock, the machine's), not when this process,
    // busy with the sandbox and a dozen pages, got round to hearing of it.
    const sentAt = (r: Request) => r.timing().startTime || Date.now();
    page.on("request", (r) => {
      const url = r.url();
      if (Number.isNaN(returnedAt) && /\/payment-gateway\/.*gatewayReturn=success/.test(url))
        returnedAt = sentAt(r);
      if (Number.isNaN(confirmedAt) && url.includes(`/event/confirmation?id=${RID}`)) confirmedAt = sentAt(r);
    });
    const finalized = finalizedAt(sandbox, purchaseId, Date.now() + 60_000);
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/event\/confirmation\?id=/, { timeout: 60_000 });
    const done = await finalized;
    return { waitMs: confirmedAt - returnedAt, afterFinalizeMs: confirmedAt - done };
  } finally {
    await page.close();
  }
}

async function newContext(browser: Browser, mode: Mode): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 480, height: 900 } });
  // Both modes go through the same interception, so its cost is the same on both sides.
  await context.route("**/v1/purchases/*/status*", async (route) => {
    const url = new URL(route.request().url());
    if (mode === "plain") {
      url.searchParams.delete("wait");
      url.searchParams.delete("seen");
    }
    await route.continue({ url: url.toString() });
  });
  return context;
}

/**
 * Each attendee in a browser context of their own, as each has a browser of their own: pages of one
 * context share its six connections per host, and a dozen held status requests would queue there.
 */
async function measure(browser: Browser, sandbox: Sandbox, mode: Mode, count: number, atOnce: number) {
  const samples: Sample[] = [];
  const alone = async (tag: string) => {
    const context = await newContext(browser, mode);
    try {
      return await oneAttendee(context, sandbox, tag);
    } finally {
      await context.close();
    }
  };
  for (let i = 0; i < count; i += atOnce) {
    const batch = Array.from({ length: Math.min(atOnce, count - i) }, (_, j) =>
      alone(`${mode}-${atOnce}-${i + j}`),
    );
    samples.push(...(await Promise.all(batch)));
  }
  return samples;
}

function summarize(label: string, samples: Sample[]): string {
  const wait = samples.map((s) => s.waitMs).sort((a, b) => a - b);
  const after = samples.map((s) => s.afterFinalizeMs).sort((a, b) => a - b);
  const worst = after[after.length - 1] ?? Number.NaN;
  return (
    `${label}: redirect → confirmed p50 ${percentile(wait, 50).toFixed(0)} ms, p95 ${percentile(wait, 95).toFixed(0)} ms; ` +
    `after finalize p50 ${percentile(after, 50).toFixed(0)} ms, max ${worst.toFixed(0)} ms (n=${samples.length})`
  );
}

const met = verdict;

export async function run(): Promise<void> {
  const quick = process.env.BENCH_QUICK === "1";
  const quiet = Number(process.env.ATTENDEE_WAIT_QUIET ?? (quick ? 4 : 15));
  const burst = Number(process.env.ATTENDEE_WAIT_BURST ?? (quick ? 4 : 12));
  const dataDir = mkdtempSync(join(tmpdir(), "epg-bench-attendee-"));
  process.stderr.write("bench attendee-wait: starting the sandbox and Chromium…\n");
  const sandbox = await startSandbox({ dataDir, buildSite: createSandboxSiteBuilder() });
  const browser = await launchChromium();
  sandbox.dataverse.setFaults({ latencyMs: Number(process.env.ATTENDEE_WAIT_DATAVERSE_MS ?? 500) });
  try {
    // Warm-up: the first flow pays for compiling and caches.
    await measure(browser, sandbox, "long-poll", 1, 1);
    const results: Record<string, Sample[]> = {};
    for (const [label, count, atOnce] of [
      ["quiet", quiet, 1],
      ["burst", burst, burst],
    ] as const) {
      for (const mode of ["plain", "long-poll"] as const) {
        results[`${mode} ${label}`] = await measure(browser, sandbox, mode, count, atOnce);
        process.stdout.write(`${summarize(`${mode.padEnd(9)} ${label}`, results[`${mode} ${label}`]!)}\n`);
      }
    }
    const p50 = (key: string) =>
      percentile(
        results[key]!.map((s) => s.waitMs).sort((a, b) => a - b),
        50,
      );
    const worstAfter = (key: string) => Math.max(...results[key]!.map((s) => s.afterFinalizeMs));
    const quietP50 = p50("long-poll quiet");
    process.stdout.write(
      `long poll vs plain polling, quiet p50: ${quietP50.toFixed(0)} ms vs ${p50("plain quiet").toFixed(0)} ms → ratio ${(quietP50 / p50("plain quiet")).toFixed(2)}x; ` +
        `target p50 < 2000 ms quiet: ${met(quietP50 < 2000)}\n` +
        `longest wait after finalize with long poll: ${Math.max(worstAfter("long-poll quiet"), worstAfter("long-poll burst")).toFixed(0)} ms; ` +
        `target ≤ one poll interval (${POLL_INTERVAL_MS} ms): ${met(Math.max(worstAfter("long-poll quiet"), worstAfter("long-poll burst")) <= POLL_INTERVAL_MS)}\n`,
    );
  } finally {
    await browser.close();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
