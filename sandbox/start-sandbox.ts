// The whole paid-registration flow on one machine: the Dataverse stand-in, the payment provider
// stand-in, the Event Portal (the fixture site with the kit built into it, served by the preview,
// plus the event site's pages) and the real confirmation endpoint, all on 127.0.0.1 and all on one
// shared clock. `npm start` (scripts/start.ts) and the tests call `startSandbox`.
//
// Start order solves the chicken-and-egg of URLs: stand-ins first (their URLs go into the
// endpoint's configuration), then the portal (its origin is the endpoint's allowed origin), then
// the endpoint (its URL goes into the provider's webhook and the site's EndpointUrl setting), then
// the build into the site folder and the seed (whose gateway redirect needs the portal's URL).
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../confirmation-endpoint/config";
import { createJsonLogger } from "../confirmation-endpoint/logger";
import { startEndpoint } from "../confirmation-endpoint/main";
import type { RunningEndpoint } from "../confirmation-endpoint/main";
import { startDataverseStandIn } from "./dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "./dataverse/start-dataverse-stand-in";
import type { SeedResult } from "./dataverse/seed-data";
import { createStandInBackend } from "./event-site/event-site-backend";
import { createEventSiteRoutes } from "./event-site/create-event-site-routes";
import { createRtmRegistrationRoutes, RTM_REGISTER_PATH } from "./event-site/rtm-registration-page";
import { createPreviewServer } from "./portal/preview-server";
import type { PreviewServer } from "./portal/preview-server";
import { startSandboxPayPal } from "./paypal/sandbox-wiring";
import { startProviderStandIn } from "./provider/start-provider-stand-in";
import type { ProviderStandIn } from "./provider/start-provider-stand-in";
import { createSandboxClock } from "./sandbox-clock";
import type { SandboxClock } from "./sandbox-clock";
import { collectSandboxStatus, renderStatusPage } from "./status-page";
import type { SandboxStatus } from "./status-page";
import { readRequestBody } from "./read-request-body";

export interface SandboxPorts {
  /** The Event Portal (preview + event site). 0 = any free port. */
  portal?: number;
  endpoint?: number;
  dataverse?: number;
  provider?: number;
}

/** Writes the kit's records into the site folder with the given endpoint URL; answers the gateway page's partial URL. */
export type SandboxSiteBuilder = (input: {
  siteDir: string;
  endpointUrl: string;
  log: (line: string) => void;
}) => Promise<{ partialUrl: string }>;

export interface StartSandboxOptions {
  /**
   * The kit's build, passed in (scripts/start.ts hands over `runBuild`): the sandbox lives below
   * scripts/ in the import direction, so it does not import the build itself.
   */
  buildSite: SandboxSiteBuilder;
  /** Where every part keeps its state (SQLite files, the site folder, the clock). Created if missing. */
  dataDir: string;
  /** Default 0 for each: the system picks free ports. */
  ports?: SandboxPorts;
  /** Progress lines (one per step). */
  log?: (line: string) => void;
  /** The endpoint's JSON log lines (default: dropped). */
  endpointLog?: (line: string) => void;
  /** Delete everything in dataDir first. */
  fresh?: boolean;
  /** Repository root (holds the fixture site). Default: this file's repository. */
  repoRoot?: string;
  /** The pac site folder copied into dataDir/site on the first run. Default: the standard fixture site. */
  fixtureSite?: string;
  /** Longest sleep of the endpoint's worker between polls (default 500 ms, so the flow feels immediate). */
  workerPollMs?: number;
  /** The provider new checkouts use: "stripe" (default) or "paypal" (its stand-in starts too). */
  provider?: "stripe" | "paypal";
}

export interface SandboxUrls {
  /** The portal's origin (the preview of the fixture site with the kit built in). */
  portal: string;
  /** Event page of the seeded paid event, and of the free one. */
  paidEvent: string;
  freeEvent: string;
  registration: string;
  /** Real-time journeys: the custom event website's page that registers through the Event API. */
  rtmRegistration: string;
  gatewayPage: string;
  providerDashboard: string;
  /** Read-only view of purchases, registrations, refunds, outbox and dead letters. */
  status: string;
  endpoint: string;
  dataverse: string;
  providerApi: string;
}

export interface Sandbox {
  urls: SandboxUrls;
  dataDir: string;
  siteDir: string;
  seed: SeedResult;
  clock: SandboxClock;
  dataverse: DataverseStandIn;
  provider: ProviderStandIn;
  preview: PreviewServer;
  endpoint: RunningEndpoint;
  /** The provider webhook URL (the endpoint's /v1/webhooks/stripe). */
  webhookUrl: string;
  /** Moves every part's clock forward by `ms` and lets the provider run what became due (also POST <portal>/sandbox/clock). */
  advance(ms: number): void;
  status(): Promise<SandboxStatus>;
  close(): Promise<void>;
}

export class SandboxError extends Error {
  override readonly name = "SandboxError";
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Files only a sandbox data folder holds; a fresh start deletes a folder only when it finds one. */
const SANDBOX_MARKERS = ["clock.json", "dataverse.sqlite", "provider.sqlite", "endpoint.sqlite", "site"];

const defaultRepoRoot = (): string => fileURLToPath(new URL("..", import.meta.url));

function secret(prefix: string): string {
  return `${prefix}${randomBytes(24).toString("base64url")}`;
}

function checkPorts(ports: SandboxPorts): void {
  const bad = Object.entries(ports).filter(
    ([, p]) => p !== undefined && (!Number.isInteger(p) || p < 0 || p > 65535),
  );
  if (bad.length > 0) {
    throw new SandboxError(
      "INVALID_PORT",
      `Ports must be whole numbers from 0 to 65535 (0 = any free port): ${bad.map(([k, p]) => `${k}=${String(p)}`).join(", ")}.`,
    );
  }
}

export async function startSandbox(options: StartSandboxOptions): Promise<Sandbox> {
  const log = options.log ?? (() => undefined);
  const ports = options.ports ?? {};
  checkPorts(ports);
  const repoRoot = options.repoRoot ?? defaultRepoRoot();
  const dataDir = resolve(options.dataDir);
  if (options.fresh && existsSync(dataDir)) {
    const entries = readdirSync(dataDir);
    if (entries.length > 0 && !entries.some((name) => SANDBOX_MARKERS.includes(name))) {
      throw new SandboxError(
        "NOT_A_SANDBOX_FOLDER",
        `${dataDir} holds files but none of the sandbox's (${SANDBOX_MARKERS.join(", ")}); fresh start refuses to delete it. Pick another data folder or empty it yourself.`,
      );
    }
    log(`--fresh: removing ${dataDir}`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  const clock = createSandboxClock({ file: join(dataDir, "clock.json") });
  if (clock.offsetMs() > 0)
    log(`sandbox clock continues ${Math.round(clock.offsetMs() / 60_000)} min ahead of real time`);

  // Everything started so far, closed in reverse order if a later step fails.
  const started: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of started.splice(0).reverse()) await close().catch(() => undefined);
  };

  try {
    const dataverse = await startDataverseStandIn({
      dbPath: join(dataDir, "dataverse.sqlite"),
      now: clock.now,
      port: ports.dataverse ?? 0,
    });
    started.push(() => dataverse.close());
    log(`Dataverse stand-in on ${dataverse.url}`);

    // Secrets live for this run only: the endpoint gets them in memory, nothing prints or stores them.
    const webhookSecret = secret("whsec_");
    const stripeKey = secret("sk_test_");
    const provider = await startProviderStandIn({
      dbPath: join(dataDir, "provider.sqlite"),
      webhookSecret,
      apiKey: stripeKey,
      webhookUrl: null,
      now: clock.now,
      port: ports.provider ?? 0,
    });
    started.push(() => provider.close());
    log(`payment provider stand-in on ${provider.url}`);
    // --provider paypal: the PayPal stand-in and the endpoint's PAYPAL_* variables (sandbox/paypal/sandbox-wiring.ts).
    const paypal = options.provider === "paypal" ? await startSandboxPayPal({ now: clock.now }) : null;
    if (paypal) started.push(() => paypal.close());
    if (paypal) log(`PayPal stand-in on ${paypal.standIn.url}`);

    const siteDir = join(dataDir, "site");
    if (!existsSync(siteDir)) {
      const fixture = options.fixtureSite ?? join(repoRoot, "test", "fixtures", "standard-site");
      if (!existsSync(fixture))
        throw new SandboxError(
          "NO_FIXTURE_SITE",
          `The fixture site ${fixture} is missing; pass fixtureSite or restore the repository's test/fixtures.`,
        );
      cpSync(fixture, siteDir, { recursive: true });
      log(`copied the fixture site into ${siteDir}`);
    }

    let endpoint: RunningEndpoint | null = null;
    const advance = (ms: number): void => {
      clock.advance(ms);
      provider.runDueWork();
    };
    // GET: the sandbox time; POST {"advanceMinutes": n}: every part's clock moves forward at once.
    const answerClock = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      let problem: string | null = null;
      if (
        req.method === "POST" &&
        !String(req.headers["content-type"] ?? "").startsWith("application/json")
      ) {
        // A JSON content type cannot come from another site's form, so a web page cannot move the clock.
        problem = "Send the body with Content-Type: application/json.";
      } else if (req.method === "POST") {
        const body = await readRequestBody(req, 4096);
        let minutes: unknown;
        try {
          minutes = (JSON.parse(body ?? "") as { advanceMinutes?: unknown }).advanceMinutes;
        } catch {
          minutes = undefined;
        }
        if (typeof minutes === "number" && Number.isFinite(minutes) && minutes > 0 && minutes <= 7 * 24 * 60)
          advance(minutes * 60_000);
        else
          problem =
            'Send JSON {"advanceMinutes": <minutes, more than 0 and at most a week>}; the clock only moves forward.';
      } else if (req.method !== "GET")
        problem = "Use GET to read the sandbox time or POST to move it forward.";
      res.writeHead(problem === null ? 200 : 400, {
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": "no-store",
      });
      res.end(
        JSON.stringify(
          problem === null
            ? { now: new Date(clock.now()).toISOString(), offsetMinutes: clock.offsetMs() / 60_000 }
            : { error: { code: "INVALID_CLOCK_REQUEST", message: problem } },
        ),
      );
    };
    let statusLinks = {};
    const backend = createStandInBackend(dataverse);
    const eventSite = createEventSiteRoutes({ backend, log });
    const rtmSite = createRtmRegistrationRoutes({
      backend,
      eventApi: { url: dataverse.eventApiUrl, token: dataverse.eventApiToken },
    });
    const status = () =>
      collectSandboxStatus({ dataverse, provider, store: endpoint?.store ?? null, now: clock.now });
    const preview = await createPreviewServer({
      siteDir,
      port: ports.portal ?? 0,
      host: "127.0.0.1",
      log: (line) => log(`portal: ${line}`),
      extraRoutes: async (req, res, url) => {
        if (url.pathname === "/sandbox/status" || url.pathname === "/sandbox/status.json") {
          const current = await status();
          const json = url.pathname.endsWith(".json");
          res.writeHead(200, {
            "Content-Type": json ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
            "Cache-Control": "no-store",
          });
          res.end(json ? JSON.stringify(current, null, 2) : renderStatusPage(current, statusLinks));
          return true;
        }
        if (url.pathname === "/sandbox/clock") {
          await answerClock(req, res);
          return true;
        }
        if (await rtmSite.handle(req, res, url)) return true;
        return eventSite.handle(req, res, url);
      },
    });
    started.push(() => preview.close());
    log(`portal on ${preview.url}`);

    const config = loadConfig({
      DATAVERSE_URL: dataverse.url,
      DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
      DATAVERSE_TENANT_ID: dataverse.tenantId,
      DATAVERSE_CLIENT_ID: dataverse.clientId,
      DATAVERSE_CLIENT_SECRET: dataverse.clientSecret,
      PORTAL_ORIGINS: preview.url,
      PAYMENT_PROVIDER: "stripe",
      STRIPE_SECRET_KEY: stripeKey,
      STRIPE_WEBHOOK_SECRETS: webhookSecret,
      STRIPE_API_BASE: provider.apiBase,
      STORE_URL: `sqlite:${join(dataDir, "endpoint.sqlite")}`,
      ...paypal?.env,
      HOST: "127.0.0.1",
      PORT: String(ports.endpoint ?? 0),
    });
    const pollMs = options.workerPollMs ?? 500;
    const endpointLog = options.endpointLog ?? (() => undefined);
    const running = await startEndpoint(
      { ...config, worker: { ...config.worker, pollSeconds: pollMs / 1000 } },
      {
        clock: { now: clock.now },
        publicUrlIsListenUrl: true,
        logger: createJsonLogger({ write: (line) => endpointLog(line.trimEnd()), now: clock.now }),
      },
    );
    endpoint = running;
    started.push(() => running.close());
    log(`confirmation endpoint on ${running.url}`);

    const webhookUrl = `${running.url}/v1/webhooks/stripe`;
    provider.setWebhookUrl(webhookUrl);
    paypal?.connect(running.url);
    // Deliveries a previous run left pending go to this run's endpoint.
    for (const pending of provider.state.events().filter((e) => e.delivery === "pending"))
      provider.resendEvent(pending.event.id);

    const { partialUrl } = await options.buildSite({
      siteDir,
      endpointUrl: running.url,
      log: (line) => log(`build: ${line}`),
    });

    // The Event API answers only the portal, as a web application restricted to its origin does.
    dataverse.setKnobs({ portalUrl: preview.url, eventApiOrigins: [preview.url] });
    const seed = dataverse.seed({
      gatewayPartialUrl: partialUrl,
      paymentPageUrl: `${running.url}/v1/rtm/pay?`,
    });
    log(
      `seeded: paid event ${seed.paidEvent.readableEventId} (${seed.paidEvent.passes.length} passes), free event ${seed.freeEvent.readableEventId}`,
    );

    const rid = encodeURIComponent(seed.paidEvent.readableEventId);
    const urls: SandboxUrls = {
      portal: preview.url,
      paidEvent: `${preview.url}/event?id=${rid}`,
      freeEvent: `${preview.url}/event?id=${encodeURIComponent(seed.freeEvent.readableEventId)}`,
      registration: `${preview.url}/event/registration?id=${rid}`,
      rtmRegistration: `${preview.url}${RTM_REGISTER_PATH}?id=${rid}`,
      gatewayPage: `${preview.url}/${partialUrl}/`,
      providerDashboard: provider.dashboardUrl,
      status: `${preview.url}/sandbox/status`,
      endpoint: running.url,
      dataverse: dataverse.url,
      providerApi: provider.apiBase,
    };
    statusLinks = { portal: preview.url, providerDashboard: provider.dashboardUrl, endpoint: running.url };

    let closing: Promise<void> | null = null;
    return {
      urls,
      dataDir,
      siteDir,
      seed,
      clock,
      dataverse,
      provider,
      preview,
      endpoint: running,
      webhookUrl,
      advance,
      status,
      close() {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
