// The one place that knows where the browser tests and benchmarks find Chromium (the Debian
// package) and how they start it: headless, no sandbox (containers), and nothing that phones home,
// so a run stays on loopback.
import { KitError } from "../../common/kit-error";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export class ChromiumMissingError extends KitError {
  readonly code = "CHROMIUM_MISSING";
  constructor(readonly executablePath: string) {
    super(
      `Chromium is missing at ${executablePath}: the browser tests need it. Install the Debian package "chromium" (.ci/run does).`,
    );
    this.name = "ChromiumMissingError";
  }
}

/**
 * Whether Chromium is installed. With `required` (CI), a missing browser is an error instead of a
 * quiet skip, so a broken image cannot pass the browser tests by skipping them.
 */
export function findChromium(options: { required?: boolean; executablePath?: string } = {}): boolean {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  if (existsSync(executablePath)) return true;
  if (options.required) throw new ChromiumMissingError(executablePath);
  return false;
}

export function launchChromium(executablePath: string = CHROMIUM_PATH): Promise<Browser> {
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
}
