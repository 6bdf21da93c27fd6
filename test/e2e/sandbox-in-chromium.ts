// Shared set-up of the browser tests that walk the whole sandbox: one sandbox in a temporary data
// folder and one Chromium for the file, both closed afterwards, and screenshots named by test file.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { startSandbox } from "../../sandbox/start-sandbox";
import type { Sandbox, StartSandboxOptions } from "../../sandbox/start-sandbox";
import { findChromium, launchChromium } from "../../scripts/lib/chromium";
import { createSandboxSiteBuilder } from "../../scripts/start";

const SHOTS = join(process.cwd(), "test-output", "screenshots");

export interface SandboxInChromium {
  /** False when Chromium is missing outside CI: the file's tests should skip. */
  readonly haveChromium: boolean;
  /** Set once the file's beforeAll has run. */
  sandbox: Sandbox;
  browser: Browser;
  /** Full-page screenshot to test-output/screenshots/<prefix>-<name>.png. */
  shot(page: Page, name: string): Promise<Buffer>;
}

/** Registers the file's beforeAll/afterAll; call it at the top level of a test file. */
export function useSandboxInChromium(
  prefix: string,
  options: Pick<StartSandboxOptions, "provider"> = {},
): SandboxInChromium {
  const haveChromium = findChromium({ required: process.env.CI === "true" });
  if (!haveChromium)
    console.warn(`Skipping the ${prefix} browser tests: no Chromium (apt-get install chromium).`);
  let dataDir: string | undefined;
  const run = {
    haveChromium,
    shot: (page: Page, name: string) =>
      page.screenshot({ path: join(SHOTS, `${prefix}-${name}.png`), fullPage: true }),
  } as SandboxInChromium;

  beforeAll(async () => {
    if (!haveChromium) return;
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), `epg-${prefix}-e2e-`));
    run.sandbox = await startSandbox({ ...options, dataDir, buildSite: createSandboxSiteBuilder() });
    run.browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await run.browser?.close();
    await run.sandbox?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  return run;
}
