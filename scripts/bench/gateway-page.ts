// Benchmark: what the attendee's phone pays for the gateway page.
// 1. Weight: the built page's inline script + style, gzipped, beside a reference client library
//    from a payment provider. Stripe.js (js.stripe.com/v3) is served only from Stripe's CDN and is not
//    available offline, so the reference is the `stripe` npm package's own browser entry bundled and
//    minified with esbuild (the closest Stripe client code on disk). Target: under 10 KB for ours.
// 2. Time: navigation start → order summary shown, in headless Chromium, through the preview (Power
//    Pages Liquid emulation) and a loopback stub endpoint, median of several loads. Baseline: the
//    same navigations' DOMContentLoaded, i.e. what the page costs before our script's round trip.
import { verdict } from "../lib/bench-report";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import type { CheckoutAnswer } from "../../confirmation-endpoint/contract/v1";
import { createPreviewServer } from "../../portal-emulator/preview-server";
import { runBuild } from "../build/run-build";
import { launchChromium } from "../lib/chromium";

export const name = "gateway-page";
export const describe =
  "gateway page: gzipped script+style vs a Stripe client bundle; navigation → summary in headless Chromium (median ms)";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const loads = 15;
const PID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const BENCH_EVENT = "Bench_Event";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Bundles the stripe package's browser entry (minified) and returns its gzipped size. */
async function stripeReferenceBytes(): Promise<number> {
  const result = await build({
    entryPoints: [join(repoRoot, "node_modules", "stripe", "esm", "stripe.esm.worker.js")],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return gzipSync(result.outputFiles[0]?.text ?? "", { level: 9 }).length;
}

/** A loopback stand-in that answers POST /v1/checkout (with CORS) and nothing else. */
function startStubEndpoint(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const cors = {
      "Access-Control-Allow-Origin": String(req.headers.origin ?? "*"),
      "Access-Control-Allow-Methods": "POST, OPTIONS",
      "Access-Control-Allow-Headers": "content-type, accept",
    };
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors);
      return void res.end();
    }
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/json", ...cors });
      // Typed by the contract, so the stub stays the shape the page accepts.
      const closes = new Date(Date.now() + 45 * 60_000).toISOString();
      const answer: CheckoutAnswer = {
        purchase: {
          purchaseId: PID,
          readableEventId: BENCH_EVENT,
          eventName: "Bench Event",
          amount: { minor: 2500, currency: "EUR" },
          attendees: [{ name: "Ada Lovelace", passName: "Full conference", amountMinor: 2500 }],
          expiresAt: closes,
          deadlineAt: new Date(Date.now() + 50 * 60_000).toISOString(),
        },
        payment: { provider: "stripe", redirectUrl: "https://checkout.example.test/pay", expiresAt: closes },
      };
      res.end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "epg-bench-gateway-"));
  const stub = await startStubEndpoint();
  let preview: Awaited<ReturnType<typeof createPreviewServer>> | null = null;
  let browser: Browser | null = null;
  try {
    const site = join(work, "site");
    cpSync(join(repoRoot, "test", "fixtures", "standard-site"), site, { recursive: true });
    process.stderr.write("bench gateway-page: building the kit into a copy of the standard fixture…\n");
    const built = await runBuild({
      repoRoot,
      kitVersion: "bench",
      outDir: null,
      site,
      overrides: { endpointUrl: stub.url },
    });
    const { script, style } = built.artifacts.report;
    const ours = script.gzipBytes + style.gzipBytes;
    const reference = await stripeReferenceBytes();
    process.stdout.write(
      `weight: script+style ${kb(ours)} gzipped (script ${kb(script.gzipBytes)}, style ${kb(style.gzipBytes)}); ` +
        `reference stripe npm browser bundle ${kb(reference)} gzipped → ratio ${(ours / reference).toFixed(2)}x; ` +
        `target < 10 KB: ${verdict(ours < 10 * 1024)}\n`,
    );

    preview = await createPreviewServer({ siteDir: site, port: 0, host: "127.0.0.1" });
    browser = await launchChromium();
    const context = await browser.newContext();
    // Records, in the page's own timeline, when the summary appears.
    await context.addInitScript(() => {
      const w = window as unknown as { __epgSummaryAt?: number };
      new MutationObserver(() => {
        const root = document.getElementById("epg-root");
        if (w.__epgSummaryAt === undefined && root?.getAttribute("data-state") === "summary") {
          w.__epgSummaryAt = performance.now();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
    });
    const url = `${preview.url}/payment-gateway/?id=${BENCH_EVENT}&purchaseId=${PID}`;
    const summary: number[] = [];
    const domReady: number[] = [];
    for (let i = -2; i < loads; i++) {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('#epg-root[data-state="summary"]', { state: "attached", timeout: 15_000 });
      const [at, ready] = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
        return [
          (window as unknown as { __epgSummaryAt?: number }).__epgSummaryAt ?? NaN,
          nav?.domContentLoadedEventEnd ?? NaN,
        ];
      });
      await page.close();
      if (i < 0) continue; // warm-up loads
      summary.push(at);
      domReady.push(ready);
    }
    const s = median(summary);
    const d = median(domReady);
    process.stdout.write(
      `time: navigation → summary ${s.toFixed(0)} ms median of ${loads}; baseline DOMContentLoaded ${d.toFixed(0)} ms → ratio ${(s / d).toFixed(2)}x\n`,
    );
  } finally {
    await browser?.close();
    await preview?.close();
    await new Promise<void>((resolve) => stub.server.close(() => resolve()));
    rmSync(work, { recursive: true, force: true });
  }
}
