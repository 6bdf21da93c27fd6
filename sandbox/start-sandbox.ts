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
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../confirmation-endpoint/config";
import { createJsonLogger } from "../confirmation-endpoint/logger";
import type { RunningEndpoint } from "../confirmation-endpoint/main";
import type { SandboxAdyen } from "./adyen/sandbox-adyen";
import { startExtraStandIn } from "./extra-provider";
import { startEndpointFleet, startSandboxPostgres } from "./sandbox-fleet";
import type { SandboxStore } from "./sandbox-fleet";
import type { ExtraStandIn, SandboxProvider } from "./extra-provider";
import { startDataverseStandIn } from "./dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "./dataverse/start-dataverse-stand-in";
import type { SeedResult } from "./dataverse/seed-data";
import { createStandInBackend } from "./event-site/event-site-backend";
import { createEventSiteRoutes } from "./event-site/create-event-site-routes";
import { createRtmRegistrationRoutes, RTM_REGISTER_PATH } from "./event-site/rtm-registration-page";
import { createPreviewServer } from "../portal-emulator/preview-server";
import type { PreviewServer } from "../portal-emulator/preview-server";
import { lockDataFolder } from "./data-folder-lock";
import { createPortalLookRoutes, PORTAL_LAYOUT_HEAD } from "./portal-look";
import { writeSandboxEnvFile } from "./sandbox-env-file";
import { ensureSiteFolder, prepareDataFolder } from "./prepare-data-folder";
import { startProviderStandIn } from "./provider/start-provider-stand-in";
import type { ProviderStandIn } from "./provider/start-provider-stand-in";
import { createSandboxClock, describeOffset } from "./sandbox-clock";
import type { SandboxClock } from "./sandbox-clock";
import { SandboxError } from "./sandbox-error";
import { createSandboxPageRoutes } from "./sandbox-page-routes";
import { createSandboxPaymentsTable } from "./payments-table";
import { toRouteHook, type SiteRoutes } from "./site-routes";
import { collectSandboxStatus } from "./status-page";
import type { SandboxStatus, StatusLinks } from "./status-page";

export { SandboxError } from "./sandbox-error";

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
  /** "pretty": the endpoint's log lines through pino-pretty instead of JSON (LOG_FORMAT=pretty npm start). */
  endpointLogFormat?: "json" | "pretty";
  /** Delete everything in dataDir first. */
  fresh?: boolean;
  /** Repository root (holds the fixture site). Default: this file's repository. */
  repoRoot?: string;
  /** The pac site folder copied into dataDir/site on the first run. Default: the standard fixture site. */
  fixtureSite?: string;
  /** Longest sleep of the endpoint's worker between polls (default 500 ms, so the flow feels immediate). */
  workerPollMs?: number;
  /** The provider new checkouts use: "stripe" (default) or "adyen" (its stand-in starts beside Stripe's). */
  provider?: SandboxProvider;
  /** Where the endpoint keeps its state: SQLite in the data folder (default), or a throwaway PostgreSQL cluster. */
  store?: SandboxStore;
  /** Endpoint instances behind the one endpoint port (PostgreSQL only; default 1). */
  instances?: number;
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
  /** The Adyen stand-in when the sandbox runs with provider "adyen", else null. */
  adyen: SandboxAdyen | null;
  preview: PreviewServer;
  endpoint: RunningEndpoint;
  /** <dataDir>/sandbox.env: the endpoint's environment for the admin commands' --env-file (mode 0600). */
  envFile: string;
  /** The provider webhook URL (the endpoint's /v1/webhooks/stripe). */
  webhookUrl: string;
  /** Moves every part's clock forward by `ms` and lets the provider run what became due (also POST <portal>/sandbox/clock). */
  advance(ms: number): void;
  status(): Promise<SandboxStatus>;
  close(): Promise<void>;
}

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
  checkPorts(options.ports ?? {});
  const instances = options.instances ?? 1;
  if (!Number.isInteger(instances) || instances < 1 || instances > 8)
    throw new SandboxError("INVALID_INSTANCES", "instances must be a whole number from 1 to 8.");
  if (instances > 1 && options.store !== "postgres")
    throw new SandboxError(
      "INSTANCES_NEED_POSTGRES",
      "Several endpoint instances share one store: run them on PostgreSQL (--store postgres); SQLite serves one.",
    );
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Taken before --fresh empties anything, released last at close.
  const lock = lockDataFolder(dataDir, log);
  let clock: SandboxClock;
  try {
    prepareDataFolder(dataDir, options.fresh === true, log);
    clock = createSandboxClock({ file: join(dataDir, "clock.json") });
  } catch (error) {
    lock.release();
    throw error;
  }
  if (clock.offsetMs() > 0)
    log(
      `sandbox clock kept from an earlier run: ${describeOffset(clock.offsetMs())} ahead of real time (--fresh resets it)`,
    );

  // Everything started so far, closed in reverse order if a later step fails.
  const started: Array<() => Promise<void>> = [async () => lock.release()];
  const closeAll = async () => {
    for (const close of started.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    return await startParts(options, { dataDir, clock, log, started, closeAll });
  } catch (error) {
    await closeAll();
    throw error;
  }
}

interface StartState {
  dataDir: string;
  clock: SandboxClock;
  log: (line: string) => void;
  started: Array<() => Promise<void>>;
  closeAll: () => Promise<void>;
}

async function startParts(options: StartSandboxOptions, state: StartState): Promise<Sandbox> {
  const { dataDir, clock, log, started } = state;
  const ports = options.ports ?? {};
  const { dataverse, provider, secrets } = await startStandIns(state, ports);
  const extra = await startExtraStandIn(options.provider ?? "stripe", clock.now);
  let storeEnv: Record<string, string> = {};
  if (options.store === "postgres") {
    const postgres = await startSandboxPostgres();
    started.push(() => postgres.cluster.stop());
    storeEnv = postgres.env;
    log(`PostgreSQL store on 127.0.0.1:${postgres.cluster.port} (a throwaway cluster, removed at stop)`);
  }
  if (extra) {
    started.push(() => extra.close());
    log(`${extra.name} stand-in on ${extra.url}`);
  }
  const fixture =
    options.fixtureSite ?? join(options.repoRoot ?? defaultRepoRoot(), "test", "fixtures", "standard-site");
  const siteDir = ensureSiteFolder(dataDir, fixture, log);

  let endpoint: RunningEndpoint | null = null;
  let statusLinks: StatusLinks = {};
  const advance = (ms: number): void => {
    clock.advance(ms);
    provider.runDueWork();
    extra?.runDueWork();
  };
  const status = () =>
    collectSandboxStatus({ dataverse, provider, store: endpoint?.store ?? null, now: clock.now });
  const preview = await startPortal(state, {
    siteDir,
    port: ports.portal ?? 0,
    dataverse,
    pages: createSandboxPageRoutes({ clock, advance, status, statusLinks: () => statusLinks }),
  });
  const env = endpointEnv({ dataDir, dataverse, provider, secrets, portal: preview.url, extra, storeEnv });
  const running = await startSandboxEndpoint(options, env, clock);
  endpoint = running;
  started.push(() => running.close());
  log(`confirmation endpoint on ${running.url}`);
  const envFile = writeSandboxEnvFile(dataDir, env, { endpoint: running.url, portal: preview.url });
  log(`throwaway credentials for the admin commands in ${envFile} (owner-only; --env-file ${envFile})`);
  extra?.attach(running.url);

  const webhookUrl = `${running.url}/v1/webhooks/stripe`;
  provider.setWebhookUrl(webhookUrl);
  // Deliveries a previous run left pending go to this run's endpoint.
  for (const pending of provider.state.events().filter((e) => e.delivery === "pending"))
    provider.resendEvent(pending.event.id);

  const { partialUrl } = await options.buildSite({
    siteDir,
    endpointUrl: running.url,
    log: (line) => log(`build: ${line}`),
  });
  const seed = seedEvents(dataverse, { portalUrl: preview.url, endpointUrl: running.url, partialUrl }, log);
  statusLinks = { portal: preview.url, providerDashboard: provider.dashboardUrl, endpoint: running.url };

  let closing: Promise<void> | null = null;
  return {
    urls: sandboxUrls({ preview, provider, dataverse, running, seed, partialUrl }),
    dataDir,
    siteDir,
    seed,
    clock,
    dataverse,
    provider,
    adyen: extra?.adyen ?? null,
    preview,
    endpoint: running,
    envFile,
    webhookUrl,
    advance,
    status,
    close() {
      closing ??= state.closeAll();
      return closing;
    },
  };
}

interface RunSecrets {
  webhookSecret: string;
  stripeKey: string;
}

async function startStandIns(state: StartState, ports: SandboxPorts) {
  const { dataDir, clock, log, started } = state;
  const dataverse = await startDataverseStandIn({
    dbPath: join(dataDir, "dataverse.sqlite"),
    now: clock.now,
    port: ports.dataverse ?? 0,
  });
  started.push(() => dataverse.close());
  log(`Dataverse stand-in on ${dataverse.url}`);
  await createSandboxPaymentsTable(dataverse, log);

  // Secrets live for this run only: the endpoint gets them in memory, nothing prints or stores them.
  const secrets: RunSecrets = { webhookSecret: secret("whsec_"), stripeKey: secret("sk_test_") };
  const provider = await startProviderStandIn({
    dbPath: join(dataDir, "provider.sqlite"),
    webhookSecret: secrets.webhookSecret,
    apiKey: secrets.stripeKey,
    webhookUrl: null,
    now: clock.now,
    port: ports.provider ?? 0,
  });
  started.push(() => provider.close());
  log(`payment provider stand-in on ${provider.url}`);
  return { dataverse, provider, secrets };
}

/** The preview of the site folder with the sandbox's pages, the event site and the RTM page added. */
async function startPortal(
  state: StartState,
  portal: { siteDir: string; port: number; dataverse: DataverseStandIn; pages: SiteRoutes },
): Promise<PreviewServer> {
  const { log } = state;
  const backend = createStandInBackend(portal.dataverse);
  const rtmSite = createRtmRegistrationRoutes({
    backend,
    eventApi: { url: portal.dataverse.eventApiUrl, token: portal.dataverse.eventApiToken },
  });
  const preview = await createPreviewServer({
    siteDir: portal.siteDir,
    port: portal.port,
    host: "127.0.0.1",
    log: (line) => log(`portal: ${line}`),
    layoutHead: PORTAL_LAYOUT_HEAD,
    extraRoutes: toRouteHook([
      portal.pages,
      createPortalLookRoutes(),
      rtmSite,
      createEventSiteRoutes({ backend, log }),
    ]),
  });
  state.started.push(() => preview.close());
  log(`portal on ${preview.url}`);
  return preview;
}

/** The endpoint's environment: the stand-ins' URLs and this run's throwaway credentials. */
function endpointEnv(parts: {
  dataDir: string;
  dataverse: DataverseStandIn;
  provider: ProviderStandIn;
  secrets: RunSecrets;
  portal: string;
  extra: ExtraStandIn | null;
  storeEnv: Record<string, string>;
}): Record<string, string> {
  const { dataverse, provider, secrets } = parts;
  return {
    DATAVERSE_URL: dataverse.url,
    DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
    DATAVERSE_TENANT_ID: dataverse.tenantId,
    DATAVERSE_CLIENT_ID: dataverse.clientId,
    DATAVERSE_CLIENT_SECRET: dataverse.clientSecret,
    PORTAL_ORIGINS: parts.portal,
    PAYMENT_PROVIDER: "stripe",
    STRIPE_SECRET_KEY: secrets.stripeKey,
    STRIPE_WEBHOOK_SECRETS: secrets.webhookSecret,
    STRIPE_API_BASE: provider.apiBase,
    STORE_URL: `sqlite:${join(parts.dataDir, "endpoint.sqlite")}`,
    // The sandbox shows the real-time journeys flow too.
    RTM_ENABLED: "true",
    // And the Dataverse payments table, made at start (payments-table.ts).
    PAYMENTS_TABLE: "on",
    ...parts.extra?.env,
    ...parts.storeEnv,
  };
}

async function startSandboxEndpoint(
  options: StartSandboxOptions,
  env: Record<string, string>,
  clock: SandboxClock,
): Promise<RunningEndpoint> {
  const config = loadConfig({
    ...env,
    HOST: "127.0.0.1",
    PORT: String(options.ports?.endpoint ?? 0),
  });
  const pollMs = options.workerPollMs ?? 500;
  const endpointLog = options.endpointLog ?? (() => undefined);
  return startEndpointFleet(
    { ...config, worker: { ...config.worker, pollSeconds: pollMs / 1000 } },
    {
      clock: { now: clock.now },
      publicUrlIsListenUrl: true,
      logger: createJsonLogger({
        write: (line) => endpointLog(line.trimEnd()),
        now: clock.now,
        format: options.endpointLogFormat ?? "json",
        ...(config.observability ? { minLevel: config.observability.logLevel } : {}),
      }),
    },
    options.instances ?? 1,
  );
}

function seedEvents(
  dataverse: DataverseStandIn,
  at: { portalUrl: string; endpointUrl: string; partialUrl: string },
  log: (line: string) => void,
): SeedResult {
  // The Event API answers only the portal, as a web application restricted to its origin does.
  dataverse.setKnobs({ portalUrl: at.portalUrl, eventApiOrigins: [at.portalUrl] });
  const seed = dataverse.seed({
    gatewayPartialUrl: at.partialUrl,
    paymentPageUrl: `${at.endpointUrl}/v1/rtm/pay?`,
  });
  log(
    `seeded: paid event ${seed.paidEvent.readableEventId} (${seed.paidEvent.passes.length} passes), free event ${seed.freeEvent.readableEventId}`,
  );
  return seed;
}

function sandboxUrls(parts: {
  preview: PreviewServer;
  provider: ProviderStandIn;
  dataverse: DataverseStandIn;
  running: RunningEndpoint;
  seed: SeedResult;
  partialUrl: string;
}): SandboxUrls {
  const portal = parts.preview.url;
  const rid = encodeURIComponent(parts.seed.paidEvent.readableEventId);
  return {
    portal,
    paidEvent: `${portal}/event?id=${rid}`,
    freeEvent: `${portal}/event?id=${encodeURIComponent(parts.seed.freeEvent.readableEventId)}`,
    registration: `${portal}/event/registration?id=${rid}`,
    rtmRegistration: `${portal}${RTM_REGISTER_PATH}?id=${rid}`,
    gatewayPage: `${portal}/${parts.partialUrl}/`,
    providerDashboard: parts.provider.dashboardUrl,
    status: `${portal}/sandbox/status`,
    endpoint: parts.running.url,
    dataverse: parts.dataverse.url,
    providerApi: parts.provider.apiBase,
  };
}
