// The gateway page in each of its states, on demand, in real Chromium: the kit is built into a copy
// of the fixture Event Portal site, served by the preview (Power Pages Liquid emulation) under the
// strict Content-Security-Policy the build prints, and talks to the stub endpoint, where each state
// is one purchase id's scene. Used by `npm run screenshots` and by the browser tests (axe, layout).
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Page } from "playwright-core";
import { createPreviewServer } from "../../portal-emulator/preview-server";
import { SCENE_EVENT, startStubEndpoint } from "./stub-endpoint";
import type { Scene, StubEndpoint } from "./stub-endpoint";

/** The support contact the bench's site is built with. */
export const SUPPORT_CONTACT = "events@contoso.example";

/** The page's `data-state` values this bench shows (gateway-client's ViewName, which scripts may not import). */
export type ViewName =
  | "summary"
  | "awaiting_payment"
  | "paid"
  | "finalizing"
  | "finalized"
  | "refund_pending"
  | "refunded"
  | "expired"
  | "failed"
  | "not_found"
  | "unreachable"
  | "invalid"
  | "missing";

export interface GatewayState {
  /** File-name friendly name, also the page's data-state unless `view` says otherwise. */
  name: string;
  view: ViewName;
  /** What the endpoint answers; none for the states the page reaches without it. */
  scene?: Scene;
  /** Query string after the event id (the purchase id is added when the state has a scene). */
  query?: string;
  /** The purchase id whose scene this state plays. */
  purchaseId?: string;
}

const id = (n: number) => `3f2504e0-4f89-41d3-9a0c-${String(n).padStart(12, "0")}`;

/** Every state an attendee can meet, in the order they are shown in the docs. */
const STATES: GatewayState[] = [
  { name: "summary", view: "summary", scene: { checkout: "order" } },
  { name: "cancelled", view: "summary", scene: { checkout: "order" }, query: "gatewayReturn=cancel" },
  {
    name: "awaiting_payment",
    view: "awaiting_payment",
    scene: { checkout: "order", statuses: ["awaiting_payment"] },
    query: "gatewayReturn=success",
  },
  {
    name: "paid",
    view: "paid",
    scene: { checkout: "order", statuses: ["paid"] },
    query: "gatewayReturn=success",
  },
  {
    name: "finalizing",
    view: "finalizing",
    scene: { checkout: "order", statuses: ["finalizing"] },
    query: "gatewayReturn=success",
  },
  {
    name: "finalized",
    view: "finalized",
    scene: { checkout: "order", statuses: ["finalized"] },
    query: "gatewayReturn=success",
  },
  {
    name: "refund_pending",
    view: "refund_pending",
    scene: { checkout: "order", statuses: ["refund_pending"], reason: "deadline_passed" },
    query: "gatewayReturn=success",
  },
  {
    name: "refunded",
    view: "refunded",
    scene: { checkout: "order", statuses: ["refunded"], reason: "finalize_rejected" },
    query: "gatewayReturn=success",
  },
  { name: "expired", view: "expired", scene: { checkout: { status: 410, code: "TOO_LATE" } } },
  {
    name: "failed",
    view: "failed",
    scene: { checkout: "order", statuses: ["failed"] },
    query: "gatewayReturn=success",
  },
  { name: "not_found", view: "not_found", scene: { checkout: { status: 404, code: "PURCHASE_NOT_FOUND" } } },
  {
    name: "unreachable",
    view: "unreachable",
    scene: { checkout: { status: 503, code: "DATAVERSE_UNAVAILABLE" } },
  },
  { name: "invalid", view: "invalid", query: "purchaseId=not-a-guid" },
  { name: "missing", view: "missing" },
];

/** Every state an attendee can meet, each with its own purchase id when the endpoint plays a part. */
export const GATEWAY_STATES: readonly GatewayState[] = STATES.map((s, i) =>
  s.scene ? { ...s, purchaseId: id(i + 1) } : s,
);

export interface GatewayBench {
  stub: StubEndpoint;
  portalUrl: string;
  /** The gateway page's address for a state, in English ("en") or under the French prefix ("fr"). */
  urlFor(state: GatewayState, language: "en" | "fr"): string;
  /** Opens the state in `page` and waits until the page shows it. */
  show(page: Page, state: GatewayState, language: "en" | "fr"): Promise<void>;
  close(): Promise<void>;
}

/** Builds the kit into a copy of the fixture site and serves it with the stub endpoint. */
export async function startGatewayBench(root = process.cwd()): Promise<GatewayBench> {
  const work = mkdtempSync(join(tmpdir(), "epg-states-"));
  const siteDir = join(work, "site");
  cpSync(join(root, "test/fixtures/standard-site"), siteDir, { recursive: true });
  const stub = await startStubEndpoint();
  for (const state of GATEWAY_STATES) {
    const pid = state.purchaseId;
    if (pid && state.scene) stub.scenes.set(pid, state.scene);
  }
  // A support contact, as a real portal has one: every message shows it.
  const config = join(work, "kit-config.json");
  writeFileSync(config, JSON.stringify({ siteSettings: { support_contact: { value: SUPPORT_CONTACT } } }));
  const args = [
    "--import",
    "tsx",
    "scripts/build.ts",
    "--site",
    siteDir,
    "--out",
    join(work, "dist"),
    "--config",
    config,
  ];
  await promisify(execFile)(process.execPath, [...args, "--endpoint-url", stub.url], { cwd: root });
  const hashes = readFileSync(join(work, "dist", "csp.txt"), "utf8").trim();
  const csp = `default-src 'none'; ${hashes.replace(/style-src /, "style-src 'self' ")}; connect-src ${stub.url}; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'none'`;
  const preview = await createPreviewServer({
    siteDir,
    port: 0,
    host: "127.0.0.1",
    extraRoutes: (_req, res, url) => {
      if (url.pathname.endsWith("/payment-gateway/")) res.setHeader("Content-Security-Policy", csp);
      return false;
    },
  });
  const urlFor = (state: GatewayState, language: "en" | "fr") => {
    const params = new URLSearchParams({ id: SCENE_EVENT });
    const pid = state.purchaseId;
    if (pid) params.set("purchaseId", pid);
    const query = [params.toString(), state.query].filter(Boolean).join("&");
    return `${preview.url}${language === "fr" ? "/fr-FR" : ""}/payment-gateway/?${query}`;
  };
  return {
    stub,
    portalUrl: preview.url,
    urlFor,
    async show(page, state, language) {
      // The confirmation page belongs to the Event Portal app: answer it empty, so the browser stays
      // on the page's confirmed state.
      await page.route(/\/event\/confirmation/, (route) => route.fulfill({ status: 204, body: "" }));
      await page.goto(urlFor(state, language));
      await page.waitForSelector(`#epg-root[data-state="${state.view}"]`, {
        state: "attached",
        timeout: 15_000,
      });
      // Let the focus move and the fonts settle before anyone looks.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
    },
    async close() {
      await preview.close();
      await stub.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core (node_modules/axe-core) over the whole page; its violations, each with the nodes' selectors. */
export async function runAxe(page: Page, root = process.cwd()): Promise<AxeViolation[]> {
  const source = readFileSync(join(root, "node_modules/axe-core/axe.min.js"), "utf8");
  // Evaluated through the debugging protocol, so the page's CSP (no foreign script) does not apply.
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            c: Document,
            o: object,
          ): Promise<{
            violations: Array<{
              id: string;
              impact: string | null;
              help: string;
              nodes: Array<{ target: unknown[] }>;
            }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(" ")),
    }));
  });
}
