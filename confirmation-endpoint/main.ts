// `npm run serve`: the confirmation endpoint on Node's http server, with the outbox worker in the
// same process. The only file that opens a port. `startEndpoint(config, overrides)` runs the same
// thing in-process for the sandbox and the benchmarks; the command-line part below runs only when
// this file is the program.

import { realpathSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { createApp } from "./app";
import type { FetchHandler } from "./app";
import { systemClock } from "./clock";
import type { Clock } from "./clock";
import { loadConfig } from "./config";
import type { EndpointConfig } from "./config";
import { createDataverseClient, createEventManagementApi } from "./dataverse";
import type { DataverseClientOptions, EventManagementApiOptions } from "./dataverse";
import type { EventManagementApi } from "./dataverse/types";
import { createNodeListener } from "./http/node-adapter";
import { createJsonLogger } from "./logger";
import type { Logger } from "./logger";
import { createMetrics } from "./metrics";
import type { Metrics } from "./metrics";
import { createStripeAdapter } from "./providers/stripe";
import type { PaymentProviderAdapter } from "./providers/types";
import type { RtmRouteOptions } from "./rtm/handle-rtm-pay";
import { createRtmEventReader } from "./rtm/read-rtm-event";
import { openSqliteStore } from "./store/sqlite-store";
import type { PaymentStore } from "./store/types";
import { ingestMissedEvents } from "./worker/ingest-missed-events";
import { createWorker } from "./worker/worker";
import type { Worker } from "./worker/worker";

export interface EndpointOverrides {
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  store?: PaymentStore;
  provider?: PaymentProviderAdapter;
  dataverse?: EventManagementApi;
  checkDataverse?: () => Promise<void>;
  /** Full Dataverse client settings (several application users, timeouts …), e.g. from readDataverseEnv. */
  dataverseClientOptions?: Omit<DataverseClientOptions, "log">;
  dataverseApiOptions?: Omit<EventManagementApiOptions, "log">;
  /** Real-time journeys route settings; default: built from the config and the Dataverse client (none with a `dataverse` override). */
  rtm?: RtmRouteOptions;
  /** Use the listening URL as the public URL when ENDPOINT_PUBLIC_URL is unset (the sandbox: nothing sits in front). */
  publicUrlIsListenUrl?: boolean;
  /** Run the outbox worker in this process (default true). */
  startWorker?: boolean;
  /** Fetch undelivered provider events at start and then every this many ms (default 15 min; 0 = never). */
  missedEventsIntervalMs?: number;
}

export interface RunningEndpoint {
  /** http://<host>:<port> */
  url: string;
  port: number;
  handler: FetchHandler;
  worker: Worker;
  store: PaymentStore;
  metrics: Metrics;
  close(): Promise<void>;
}

/** Start the endpoint (HTTP server + worker) from a parsed config; resolves once it listens. */
export async function startEndpoint(
  config: EndpointConfig,
  overrides: EndpointOverrides = {},
): Promise<RunningEndpoint> {
  const clock = overrides.clock ?? systemClock;
  const logger =
    overrides.logger ?? createJsonLogger({ write: (line) => process.stderr.write(line), now: clock.now });
  const metrics = overrides.metrics ?? createMetrics();
  const store = overrides.store ?? openSqliteStore(config.store.path);

  let dataverse = overrides.dataverse;
  let checkDataverse = overrides.checkDataverse;
  let closeDataverse = () => {};
  let rtm = overrides.rtm;
  let listenUrl: string | null = null;
  if (!dataverse) {
    const log = (entry: {
      level: "debug" | "info" | "warn" | "error";
      event: string;
      [k: string]: unknown;
    }) => {
      const { level, event, ...fields } = entry;
      logger.log(level, `dataverse ${event}`, fields);
    };
    const client = createDataverseClient({
      ...(overrides.dataverseClientOptions ?? config.dataverse.client),
      log,
    });
    dataverse = createEventManagementApi(client, {
      ...(overrides.dataverseApiOptions ?? config.dataverse.api),
      log,
    });
    checkDataverse ??= () => client.checkTokens();
    const names = {
      ...(config.rtm.eventProviderLookup ? { eventProviderLookup: config.rtm.eventProviderLookup } : {}),
      ...(config.rtm.providerTimeoutColumn
        ? { providerTimeoutColumn: config.rtm.providerTimeoutColumn }
        : {}),
    };
    const reader = createRtmEventReader({ client, clock, logger, names });
    rtm ??= {
      defaultReturnUrl: config.rtm.defaultReturnUrl,
      publicUrl: () => config.rtm.publicUrl ?? (overrides.publicUrlIsListenUrl ? listenUrl : null),
      configuredTimeoutMinutes: config.deadline.rtmTimeoutMinutes,
      readEvent: (purchaseId, options) => reader.read(purchaseId, options),
    };
    closeDataverse = () => client.close();
  }
  const provider =
    overrides.provider ??
    createStripeAdapter({
      secretKey: config.provider.stripe.secretKey,
      webhookSecrets: config.provider.stripe.webhookSecrets,
      apiBase: config.provider.stripe.apiBase,
      now: () => new Date(clock.now()),
    });

  let wakeWorker = () => {};
  const handler = createApp({
    store,
    provider,
    dataverse,
    clock,
    logger,
    metrics,
    portalOrigins: config.portalOrigins,
    eventMode: config.eventMode,
    deadlinePolicy: config.deadline,
    newPurchaseCheckoutsPerMinute: config.newPurchaseCheckoutsPerMinute,
    ...(checkDataverse ? { checkDataverse } : {}),
    ...(rtm ? { rtm } : {}),
    onWorkStored: () => wakeWorker(),
  });
  const worker = createWorker(
    { store, provider, dataverse, clock, logger, metrics },
    {
      concurrency: config.worker.concurrency,
      leaseMs: config.worker.leaseSeconds * 1000,
      pollMs: config.worker.pollSeconds * 1000,
    },
  );

  const server = createServer(
    createNodeListener(handler, (error) => logger.log("error", "http host", { error })),
  );
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let reconcileTimer: NodeJS.Timeout | null = null;
  if (overrides.startWorker !== false) {
    worker.start();
    wakeWorker = () => worker.wake();
    const interval = overrides.missedEventsIntervalMs ?? 15 * 60_000;
    if (interval > 0 && provider.listMissedEvents) {
      const ingest = () =>
        void ingestMissedEvents({ provider, store, clock, logger, metrics }).then(
          (r) => (r.stored > 0 ? worker.wake() : undefined),
          (error: unknown) =>
            logger.log("warn", "missed events could not be fetched; next try at the next interval", {
              error,
            }),
        );
      ingest();
      reconcileTimer = setInterval(ingest, interval);
      reconcileTimer.unref();
    }
  }
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  listenUrl = `http://${host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    handler,
    worker,
    store,
    metrics,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        if (reconcileTimer) clearInterval(reconcileTimer);
        await worker.stop();
        closeDataverse();
        if (!overrides.store) await store.close();
      })();
      return closing;
    },
  };
}

const HELP = `Usage: npm run serve [-- --help]

Runs the confirmation endpoint: POST /v1/checkout, GET /v1/purchases/{id}/status,
POST /v1/webhooks/stripe, GET /v1/rtm/pay (real-time journeys), /healthz, /readyz, /metrics, and the worker that finalizes paid
registrations in Dataverse (or refunds them) before the deadline.

Configuration comes from the environment only (see .env.example): DATAVERSE_*, PORTAL_ORIGINS,
STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRETS, STORE_URL, HOST (default 127.0.0.1), PORT (default 7071),
and the deadline knobs (FINALIZE_WINDOW_MINUTES, DEADLINE_MARGIN_MINUTES …).

Prints the listening URL on stdout; logs are JSON lines on stderr. Stops cleanly on Ctrl-C or SIGTERM.
`;

async function runCli(): Promise<void> {
  try {
    const { values } = parseArgs({
      options: { help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return;
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun with --help for usage.\n`);
    process.exitCode = 1;
    return;
  }
  let endpoint: RunningEndpoint;
  try {
    endpoint = await startEndpoint(loadConfig(process.env));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(`confirmation endpoint listening on ${endpoint.url}\n`);
  process.stdout.write(`${endpoint.url}\n`);
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: stopping (finishing the jobs in progress)…\n`);
    endpoint.close().then(
      () => process.stderr.write("stopped\n"),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  await runCli();
}
