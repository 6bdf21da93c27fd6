// The gateway page in real Chromium: the kit is built into a copy of a fixture pac site, served by
// the preview (Power Pages Liquid emulation), and talks to a stub confirmation endpoint on loopback
// that also plays the provider's hosted page (it sends the browser straight back). The page runs
// under a strict Content-Security-Policy built from the hashes the build printed. One screenshot per
// state lands in test-output/screenshots/.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CheckoutAnswer, PurchaseStatus, StatusAnswer } from "../../confirmation-endpoint/contract/v1";
import { createPreviewServer } from "../../portal-emulator/preview-server";
import type { PreviewServer } from "../../portal-emulator/preview-server";
import { findChromium, launchChromium } from "../../scripts/lib/chromium";

const PID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const RID = "Paid_Event1479011247";
const SHOTS = join(process.cwd(), "test-output", "screenshots");
const haveChromium = findChromium({ required: process.env.CI === "true" });

type Mode = "ok" | "expired" | "down";

/** Stub of the confirmation endpoint (DESIGN.md contract) plus a provider page that pays at once. */
function startStubEndpoint() {
  const state = {
    mode: "ok" as Mode,
    statuses: [] as PurchaseStatus[],
    checkouts: [] as Array<Record<string, unknown>>,
  };
  let base = "";
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const readJson = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", base);
      const cors: Record<string, string> = {
        "Access-Control-Allow-Origin": String(req.headers.origin ?? "*"),
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "content-type, accept",
        Vary: "Origin",
      };
      if (url.pathname.startsWith("/v1/") && state.mode === "down") return void req.socket.destroy();
      if (req.method === "OPTIONS") {
        res.writeHead(204, cors);
        return void res.end();
      }
      if (req.method === "POST" && url.pathname === "/v1/checkout") {
        const body = await readJson(req);
        state.checkouts.push(body);
        if (state.mode === "expired") {
          return send(res, 410, { error: { code: "TOO_LATE", message: "Past the deadline." } }, cors);
        }
        const redirectUrl = `${base}/provider/pay?returnUrl=${encodeURIComponent(String(body.returnUrl))}`;
        const expiresAt = new Date(Date.now() + 45 * 60_000).toISOString();
        const answer: CheckoutAnswer = {
          purchase: {
            purchaseId: PID,
            readableEventId: RID,
            eventName: "Contoso Summit 2027",
            amount: { minor: 2500, currency: "EUR" },
            attendees: [
              { name: "Ada Lovelace", passName: "Full conference", amountMinor: 1250 },
              { name: "Grace Hopper", passName: "Workshop day", amountMinor: 1250 },
            ],
            expiresAt,
            deadlineAt: new Date(Date.now() + 50 * 60_000).toISOString(),
          },
          payment: { provider: "stripe", redirectUrl, expiresAt },
        };
        return send(res, 200, answer, cors);
      }
      if (req.method === "GET" && url.pathname === "/provider/pay") {
        state.statuses = ["paid", "paid", "finalizing", "finalizing", "finalized"];
        const back = new URL(url.searchParams.get("returnUrl") ?? "");
        back.searchParams.set("gatewayReturn", "success");
        res.writeHead(302, { Location: back.href });
        return void res.end();
      }
      if (req.method === "GET" && url.pathname === `/v1/purchases/${PID}/status`) {
        const status =
          (state.statuses.length > 1 ? state.statuses.shift() : state.statuses[0]) ?? "awaiting_payment";
        return send(res, 200, { status, readableEventId: RID } satisfies StatusAnswer, cors);
      }
      send(res, 404, { error: { code: "NOT_FOUND", message: "Unknown route." } }, cors);
    })();
  });
  return new Promise<{ url: string; state: typeof state; close: () => Promise<void> }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        url: base,
        state,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

let work: string;
let siteDir: string;
let stub: Awaited<ReturnType<typeof startStubEndpoint>>;
let preview: PreviewServer;
let browser: Browser;
let csp: string;

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(SHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "epg-e2e-"));
  siteDir = join(work, "site");
  cpSync(join(process.cwd(), "test/fixtures/standard-site"), siteDir, { recursive: true });
  stub = await startStubEndpoint();
  await promisify(execFile)(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/build.ts",
      "--site",
      siteDir,
      "--out",
      join(work, "dist"),
      "--endpoint-url",
      stub.url,
    ],
    { cwd: process.cwd() },
  );
  // The build's CSP line lists the hashes of the inline script and style; allow nothing else to run.
  const hashes = readFileSync(join(work, "dist", "csp.txt"), "utf8").trim();
  csp = `default-src 'none'; ${hashes.replace(/style-src /, "style-src 'self' ")}; connect-src ${stub.url}; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'`;
  // The CSP header is added by a preview route hook that only sets the header and lets the preview
  // answer as usual (a Playwright-fulfilled response would lose the page's loopback address, and
  // Chromium's local-network checks would then refuse the calls to the stub endpoint).
  preview = await createPreviewServer({
    siteDir,
    port: 0,
    host: "127.0.0.1",
    extraRoutes: (_req, res, url) => {
      if (url.pathname.endsWith("/payment-gateway/")) res.setHeader("Content-Security-Policy", csp);
      return false;
    },
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await preview?.close();
  await stub?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  if (!haveChromium) return;
  stub.state.mode = "ok";
  stub.state.statuses = [];
  stub.state.checkouts.length = 0;
});

/** A fresh page; records the CSP violations that concern the kit's own code. */
async function openPage(): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext({ viewport: { width: 420, height: 900 } });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text()) && /inline|eval|connect-src/i.test(m.text()))
      violations.push(m.text());
  });
  return { page, violations };
}

const state = (page: Page, name: string) =>
  page.waitForSelector(`#epg-root[data-state="${name}"]`, { state: "attached", timeout: 15_000 });
const gatewayUrl = (prefix = "") => `${preview.url}${prefix}/payment-gateway/?id=${RID}&purchaseId=${PID}`;

describe.skipIf(!haveChromium)("gateway page in Chromium", () => {
  it("summary → Pay → provider → back → finalized → confirmation", async () => {
    const { page, violations } = await openPage();
    // The confirmation page belongs to the Event Portal app, not to the fixture: record the
    // navigation to it and answer 204, so the browser stays on the finalized state for a screenshot.
    const confirmations: string[] = [];
    await page.route(/\/event\/confirmation/, async (route) => {
      if (route.request().isNavigationRequest()) confirmations.push(route.request().url());
      await route.fulfill({ status: 204, body: "" });
    });

    await page.goto(gatewayUrl());
    await state(page, "summary");
    expect(await page.textContent("#epg-root h1")).toBe("Contoso Summit 2027");
    expect(await page.textContent(".epg-total dd")).toBe("€25.00");
    expect(await page.textContent(".epg-pay")).toBe("Pay €25.00");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("epg-heading");
    await page.screenshot({ path: join(SHOTS, "summary.png"), fullPage: true });
    expect(stub.state.checkouts[0]).toMatchObject({ purchaseId: PID, readableEventId: RID, locale: "en-US" });

    await page.keyboard.press("Tab"); // keyboard reaches Pay
    expect(await page.evaluate(() => document.activeElement?.className)).toContain("epg-pay");
    await page.keyboard.press("Enter");

    await state(page, "paid");
    expect(page.url()).toContain("gatewayReturn=success");
    await page.screenshot({ path: join(SHOTS, "paid.png"), fullPage: true });
    await state(page, "finalizing");
    await page.screenshot({ path: join(SHOTS, "finalizing.png"), fullPage: true });
    await state(page, "finalized");
    expect(await page.textContent('#epg-root [role="status"]')).toMatch(/^Registration confirmed/);
    await page.screenshot({ path: join(SHOTS, "finalized.png"), fullPage: true });
    await expect.poll(() => confirmations).toEqual([`${preview.url}/event/confirmation?id=${RID}`]);
    expect(violations).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("expired purchase: says so and links back to the event", async () => {
    stub.state.mode = "expired";
    const { page } = await openPage();
    await page.goto(gatewayUrl());
    await state(page, "expired");
    expect(await page.textContent("#epg-root h1")).toBe("Time to pay has run out");
    expect(await page.getAttribute("#epg-root .epg-link", "href")).toBe(`${preview.url}/event?id=${RID}`);
    await page.screenshot({ path: join(SHOTS, "expired.png"), fullPage: true });
    await page.context().close();
  }, 30_000);

  it("endpoint down: says so, and Try again recovers once it is back", async () => {
    stub.state.mode = "down";
    const { page } = await openPage();
    await page.goto(gatewayUrl());
    await state(page, "unreachable");
    await page.screenshot({ path: join(SHOTS, "unreachable.png"), fullPage: true });
    stub.state.mode = "ok";
    await page.getByRole("button", { name: "Try again" }).click();
    await state(page, "summary");
    await page.context().close();
  }, 30_000);

  it("speaks French on the French site", async () => {
    const { page } = await openPage();
    await page.goto(gatewayUrl("/fr-FR"));
    await state(page, "summary");
    expect(await page.textContent(".epg-pay")).toBe("Payer 25,00\u00a0€");
    expect(stub.state.checkouts[0]).toMatchObject({ locale: "fr-FR" });
    await page.screenshot({ path: join(SHOTS, "summary-fr.png"), fullPage: true });
    await page.context().close();
  }, 30_000);

  it("works without the site header and footer", async () => {
    const templates = join(siteDir, readdirSync(siteDir)[0] ?? "", "page-templates");
    const file = join(templates, readdirSync(templates).find((f) => f.startsWith("Payment-Gateway")) ?? "");
    const original = readFileSync(file, "utf8");
    writeFileSync(
      file,
      original.replace("adx_usewebsiteheaderandfooter: true", "adx_usewebsiteheaderandfooter: false"),
    );
    try {
      const { page } = await openPage();
      await page.goto(gatewayUrl());
      await state(page, "summary");
      expect(await page.textContent(".epg-pay")).toBe("Pay €25.00");
      await page.screenshot({ path: join(SHOTS, "summary-no-header.png"), fullPage: true });
      await page.context().close();
    } finally {
      writeFileSync(file, original);
    }
  }, 30_000);
});
