// `npm start` itself, as a newcomer runs it: the command in its own process, its printed URLs, a
// paid registration for two attendees walked in real Chromium through the printed registration
// URL, the registrations on the status page, and a clean stop on Ctrl-C (SIGINT).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, launchChromium } from "../../scripts/lib/chromium";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const haveChromium = findChromium({ required: process.env.CI === "true" });

let child: ChildProcess;
let output = "";
let dataDir: string;
let browser: Browser | undefined;
const urls: Record<string, string> = {};

/** Resolves once `npm start` has printed its URLs (or rejects with what it printed). */
function waitForReady(process: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no URLs within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    process.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (/Stop with Ctrl-C/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    process.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    process.on("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  if (!haveChromium) return;
  dataDir = mkdtempSync(join(tmpdir(), "epg-npm-start-"));
  child = spawn("npm", ["start", "--", "--data-dir", dataDir, "--random-ports"], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  await waitForReady(child, 90_000);
  for (const [, label, url] of output.matchAll(
    /^ {2}(Registration|Status page) +(http:\/\/127\.0\.0\.1:\d+\S*)/gm,
  ))
    urls[label!] = url!;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)("npm start", () => {
  it("prints URLs on 127.0.0.1 only", () => {
    expect(Object.keys(urls).sort()).toEqual(["Registration", "Status page"]);
    expect(output).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[\w.-]+:\d+/);
    expect(output).not.toMatch(/sk_test_|whsec_/);
  });

  it("takes a paid registration of two attendees to the confirmation, and the status page lists both", async () => {
    const page = await browser!.newPage();
    await page.goto(urls.Registration!);
    const first = page.locator("fieldset.es-attendee").nth(0);
    await first.getByLabel("First name").fill("Ada");
    await first.getByLabel("Last name").fill("Lovelace");
    await first.getByLabel("E-mail").fill("ada.npmstart@example.com");
    await page.getByRole("button", { name: "Add another attendee" }).click();
    const second = page.locator("fieldset.es-attendee").nth(1);
    await second.getByLabel("First name").fill("Grace");
    await second.getByLabel("Last name").fill("Hopper");
    await second.getByLabel("E-mail").fill("grace.npmstart@example.com");
    await page.getByRole("button", { name: "Register and pay" }).click();
    await page.waitForSelector('#epg-root[data-state="summary"]', { state: "attached", timeout: 20_000 });
    await page.click(".epg-pay");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/event\/confirmation\?id=/, { timeout: 30_000 });
    // The confirmation page fetches this purchase's registrations after it loads.
    await page.locator("#es-registrations tbody tr").first().waitFor({ timeout: 10_000 });
    const confirmed = (await page.locator("#es-registrations tbody tr").allTextContents()).join("\n");
    expect(confirmed).toContain("ada.npmstart@example.com");
    expect(confirmed).toContain("grace.npmstart@example.com");

    const status = await (await fetch(urls["Status page"]!)).text();
    expect(status).toContain("Ada Lovelace");
    expect(status).toContain("Grace Hopper");
  }, 60_000);

  it("stops cleanly on Ctrl-C", async () => {
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    // What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
    process.kill(-child.pid!, "SIGINT");
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(output).toMatch(/SIGINT: stopping the sandbox…/);
    expect(output).toMatch(/stopped; state kept in /);
  }, 20_000);
});
