// `npm run screenshots [-- options]`: Chromium screenshots of the gateway page in each state, at
// phone and desktop width, in English and French, into docs/screenshots/ (the README shows some).
// The page runs against a stub endpoint on loopback (scripts/screenshots/), nothing else is needed.
import { mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { findChromium, launchChromium } from "./lib/chromium";
import { parseCommandLine, runCommand, UsageError } from "./lib/cli";
import { GATEWAY_STATES, startGatewayBench } from "./screenshots/gateway-states";

const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;
const LANGUAGES = ["en", "fr"] as const;

const HELP = `Usage: npm run screenshots [-- options]

Takes Chromium screenshots of the gateway page in each state (${GATEWAY_STATES.length} states), at 390 px
(a phone) and 1280 px, in English and French: <state>-<en|fr>-<390|1280>.png. The kit is built into a
temporary copy of the fixture site and talks to a stub endpoint on 127.0.0.1.

Options:
  --out <dir>        where the PNG files go (default: docs/screenshots)
  --state <name>     only this state (repeatable): ${GATEWAY_STATES.map((s) => s.name).join(", ")}
  --json             print the files written as JSON
  --help             show this text

Needs Chromium at /usr/bin/chromium (apt-get install chromium).
`;

async function main(): Promise<void> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    { out: { type: "string" }, state: { type: "string", multiple: true }, json: { type: "boolean" } },
    HELP,
  );
  if (!parsed) return;
  const { values } = parsed;
  const known = new Set(GATEWAY_STATES.map((s) => s.name));
  const unknown = (values.state ?? []).filter((s) => !known.has(s));
  if (unknown.length > 0)
    throw new UsageError(`Unknown state ${unknown.join(", ")}; run with --help for the list.`);
  const states = values.state ? GATEWAY_STATES.filter((s) => values.state!.includes(s.name)) : GATEWAY_STATES;
  const out = resolve(values.out ?? "docs/screenshots");
  findChromium({ required: true });
  mkdirSync(out, { recursive: true });
  const bench = await startGatewayBench();
  const browser = await launchChromium();
  const written: Array<{ file: string; bytes: number }> = [];
  try {
    for (const state of states)
      for (const language of LANGUAGES)
        for (const [kind, viewport] of Object.entries(WIDTHS)) {
          const context = await browser.newContext({
            viewport,
            deviceScaleFactor: 1,
            ...(kind === "phone" ? { isMobile: true, hasTouch: true } : {}),
          });
          const page = await context.newPage();
          await bench.show(page, state, language);
          const file = join(out, `${state.name}-${language}-${viewport.width}.png`);
          await page.screenshot({
            path: file,
            fullPage: kind === "phone",
            animations: "disabled",
            caret: "hide",
          });
          await context.close();
          written.push({ file, bytes: statSync(file).size });
          if (!values.json) process.stdout.write(`${file}\n`);
        }
  } finally {
    await browser.close();
    await bench.close();
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ files: written }, null, 2)}\n`);
  else process.stdout.write(`${written.length} screenshots in ${out}\n`);
}

void runCommand(main);
