// The composition root: builds the whole endpoint (store, providers, Dataverse client, routes,
// worker) from a parsed config, without opening a port. Every host builds it here: the Node server
// (main.ts), the sandbox, the burst benchmark and the reconcile command; tests swap any part
// through `overrides` instead of rewiring modules.

import { createApp } from "./app";
import type { KitHandler } from "./app";
import { systemClock } from "./clock";
import type { Clock } from "./clock";
import { defaultWorkerConcurrency } from "./config";
import type { EndpointConfig } from "./config";
import { createDataverseClient, createEventManagementApi } from "./dataverse";
import type { DataverseClient, DataverseClientOptions, EventManagementApiOptions } from "./dataverse";
import type { EventManagementApi } from "./dataverse/types";
import { collectSecretValues, createJsonLogger } from "./logger";
import type { Logger } from "./logger";
import { createMetrics } from "./metrics";
import type { Metrics } from "./metrics";
import { instrumentDataverse, instrumentProviders } from "./observability/instrument-calls";
import { DEFAULT_OBSERVABILITY } from "./observability/read-observability-env";
import { createTracing } from "./observability/tracing";
import type { Tracing } from "./observability/tracing";
import { paymentsTableNames } from "./payments-table/definition";
import { createPaymentsTableWriter } from "./payments-table/upsert-payment";
import type { PaymentsTableWriter } from "./payments-table/upsert-payment";
import { createProviderSet, PROVIDER_PLUGINS } from "./providers/registry";
import type { ProviderPlugin, ProviderSet } from "./providers/registry";
import type { RtmRouteOptions } from "./rtm/handle-rtm-pay";
import { createRtmEventReader } from "./rtm/read-rtm-event";
import { createPurchaseSignal, signalPurchaseChanges } from "./routes/status-wait";
import { openStore } from "./store/open-store";
import type { PaymentStore } from "./store/types";
import { ingestMissedEvents } from "./worker/ingest-missed-events";
import { createWorker } from "./worker/worker";
import type { Worker } from "./worker/worker";
import type { WorkerDeps } from "./worker/context";

export interface EndpointOverrides {
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  /** Default: built from config.observability (off unless an exporter is configured). */
  tracing?: Tracing;
  store?: PaymentStore;
  /** The adapters to use instead of building them from the config (the sandbox, tests). */
  providers?: ProviderSet;
  /** The registry to build providers from (default PROVIDER_PLUGINS); a test adds its own provider here. */
  plugins?: readonly ProviderPlugin[];
  dataverse?: EventManagementApi;
  checkDataverse?: () => Promise<void>;
  /** Full Dataverse client settings (several application users, timeouts …), e.g. from readDataverseEnv. */
  dataverseClientOptions?: Omit<DataverseClientOptions, "log">;
  dataverseApiOptions?: Omit<EventManagementApiOptions, "log">;
  /** Real-time journeys route settings; default: built from the config and the Dataverse client. */
  rtm?: RtmRouteOptions;
  /** Use the listening URL as the public URL when ENDPOINT_PUBLIC_URL is unset (the sandbox). */
  publicUrlIsListenUrl?: boolean;
  /** Fetch undelivered provider events at start and then every this many ms (default 15 min; 0 = never). */
  missedEventsIntervalMs?: number;
  /** The payments-table writer to use when the table is on (tests that pass `dataverse` pass this too). */
  paymentsTableWriter?: PaymentsTableWriter;
}

export interface Endpoint {
  handler: KitHandler;
  worker: Worker;
  /** The background lane (payments table): one job at a time, only while no finalize is pending. */
  backgroundWorker: Worker;
  store: PaymentStore;
  providers: ProviderSet;
  metrics: Metrics;
  logger: Logger;
  tracing: Tracing;
  /** The URL the host listens on, once it does (the RTM cancel link may need it). */
  setListenUrl(url: string): void;
  /** Start the worker and the missed-events timer. */
  startBackground(): void;
  /** Stop the background work and release what the endpoint opened (not what overrides passed in). */
  close(): Promise<void>;
}

interface DataverseParts {
  dataverse: EventManagementApi;
  /** The Web API client, when this endpoint built it (not when `overrides.dataverse` is given). */
  client?: DataverseClient;
  checkDataverse?: () => Promise<void>;
  rtm?: RtmRouteOptions;
  close(): void;
}

function buildDataverse(
  config: EndpointConfig,
  overrides: EndpointOverrides,
  parts: { clock: Clock; logger: Logger; listenUrl: () => string | null; store: PaymentStore },
): DataverseParts {
  const { clock, logger } = parts;
  if (overrides.dataverse) {
    return {
      dataverse: overrides.dataverse,
      ...(overrides.checkDataverse ? { checkDataverse: overrides.checkDataverse } : {}),
      ...(overrides.rtm ? { rtm: overrides.rtm } : {}),
      close: () => {},
    };
  }
  const log = (entry: {
    level: "debug" | "info" | "warn" | "error";
    event: string;
    [k: string]: unknown;
  }) => {
    const { level, event, ...fields } = entry;
    logger.log(level, `dataverse ${event}`, fields);
  };
  const client = createDataverseClient({
    // Instances on one store share what Dataverse says about holding an application user.
    sharedHolds: parts.store,
    ...(overrides.dataverseClientOptions ?? config.dataverse.client),
    log,
  });
  const dataverse = createEventManagementApi(client, {
    ...(overrides.dataverseApiOptions ?? config.dataverse.api),
    log,
  });
  const names = {
    ...(config.rtm.eventProviderLookup ? { eventProviderLookup: config.rtm.eventProviderLookup } : {}),
    ...(config.rtm.providerTimeoutColumn ? { providerTimeoutColumn: config.rtm.providerTimeoutColumn } : {}),
  };
  const reader = createRtmEventReader({ client, clock, logger, names });
  const rtm =
    overrides.rtm ??
    (config.rtm.enabled
      ? {
          defaultReturnUrl: config.rtm.defaultReturnUrl,
          publicUrl: () =>
            config.rtm.publicUrl ?? (overrides.publicUrlIsListenUrl ? parts.listenUrl() : null),
          configuredTimeoutMinutes: config.deadline.rtmTimeoutMinutes,
          ...(config.rtm.linkSecret ? { linkSecret: config.rtm.linkSecret } : {}),
          readEvent: (purchaseId, options) => reader.read(purchaseId, options),
        }
      : undefined);
  return {
    dataverse,
    client,
    checkDataverse: overrides.checkDataverse ?? (() => client.checkTokens()),
    ...(rtm ? { rtm } : {}),
    close: () => client.close(),
  };
}

/** The main worker, and the background lane's (one job at a time, only while no finalize is pending). */
function buildWorkers(
  config: EndpointConfig,
  deps: WorkerDeps,
  dataverseCallSlots: number,
): { worker: Worker; backgroundWorker: Worker } {
  const leaseMs = config.worker.leaseSeconds * 1000;
  const worker = createWorker(deps, {
    concurrency: config.worker.concurrency ?? defaultWorkerConcurrency(dataverseCallSlots),
    leaseMs,
    pollMs: config.worker.pollSeconds * 1000,
  });
  // Always running, also with the table off: it settles jobs queued while the table was on.
  const backgroundWorker = createWorker(deps, {
    workerId: `${worker.workerId}-bg`,
    concurrency: 1,
    lane: "background",
    leaseMs,
    pollMs: Math.max(1000, config.worker.pollSeconds * 1000),
    minIdleMs: 1000,
  });
  return { worker, backgroundWorker };
}

/** The payments table's writer and this deployment's id when PAYMENTS_TABLE=on; undefined when off. */
function buildPaymentsTable(
  config: EndpointConfig,
  overrides: EndpointOverrides,
  dv: DataverseParts,
  logger: Logger,
): { writer: PaymentsTableWriter; deploymentId: string } | undefined {
  if (!config.paymentsTable?.enabled) return undefined;
  const writer =
    overrides.paymentsTableWriter ??
    (dv.client
      ? createPaymentsTableWriter(dv.client, paymentsTableNames(config.paymentsTable.prefix))
      : null);
  if (!writer) {
    logger.log("warn", "PAYMENTS_TABLE=on but no Dataverse Web API client was built; the table stays off");
    return undefined;
  }
  logger.log("info", "payments table on", { table: writer.names.table });
  return { writer, deploymentId: config.deploymentId };
}

/** The adapters the config names, built through the registry. */
export function buildProviders(
  config: EndpointConfig,
  clock: Clock,
  plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS,
): ProviderSet {
  const adapters = config.providers.configured.map(({ name, config: providerConfig }) => {
    const plugin = plugins.find((p) => p.name === name);
    if (!plugin) throw new Error(`no provider plugin named "${name}" is registered`);
    return plugin.create(providerConfig, {
      now: () => new Date(clock.now()),
      deploymentId: config.deploymentId,
    });
  });
  const active = adapters.find((a) => a.name === config.providers.active);
  if (!active) throw new Error(`PAYMENT_PROVIDER "${config.providers.active}" has no configuration`);
  return createProviderSet(active, adapters);
}

export function createEndpoint(config: EndpointConfig, overrides: EndpointOverrides = {}): Endpoint {
  const clock = overrides.clock ?? systemClock;
  const observability = config.observability ?? DEFAULT_OBSERVABILITY;
  const tracing =
    overrides.tracing ??
    createTracing(observability.tracing, {
      deploymentId: config.deploymentId,
      // Called only after the asynchronous import failed, once the logger exists.
      onError: (error) => logger.log("error", "tracing could not start; spans are not exported", { error }),
    });
  const logger =
    overrides.logger ??
    createJsonLogger({
      write: (line) => process.stderr.write(line),
      now: clock.now,
      minLevel: observability.logLevel,
      format: observability.logFormat,
      secrets: collectSecretValues(config),
      // Lines written inside a span carry its ids (the traceId is the purchase's trace).
      ...(tracing.enabled ? { context: () => tracing.current() } : {}),
    });
  const metrics = overrides.metrics ?? createMetrics();
  const providers = instrumentProviders(
    overrides.providers ?? buildProviders(config, clock, overrides.plugins),
    tracing,
  );
  // Every write that can change what a purchase's page sees wakes that page's held status request.
  const purchaseSignal = createPurchaseSignal();
  const rawStore = overrides.store ?? openStore(config.store);
  const store = signalPurchaseChanges(rawStore, purchaseSignal);
  metrics.watchBacklog(
    (now) => store.backlog(now),
    () => clock.now(),
  );
  let listenUrl: string | null = null;
  const dv = buildDataverse(config, overrides, {
    clock,
    logger,
    listenUrl: () => listenUrl,
    store: rawStore,
  });
  const dataverse = instrumentDataverse(dv.dataverse, { metrics, tracing });
  const dvClient = dv.client;
  if (dvClient) metrics.watchDataverse(() => dvClient.metrics());
  const deps = { store, providers, dataverse, clock, logger, metrics, tracing };
  let wakeWorker = () => {};
  const handler = createApp({
    ...deps,
    portalOrigins: config.portalOrigins,
    eventMode: config.eventMode,
    deadlinePolicy: config.deadline,
    newPurchaseCheckoutsPerMinute: config.newPurchaseCheckoutsPerMinute,
    newPurchasesPerClientPerMinute: config.newPurchasesPerClientPerMinute,
    clientIpHeader: config.clientIpHeader,
    sendProviderReceipts: config.sendProviderReceipts ?? true,
    // A fifth of each application user's 6,000 requests per 5 minutes; finalizing keeps the rest.
    newPurchaseReadsPer5Minutes:
      config.newPurchaseReadsPer5Minutes ?? 1200 * Math.max(1, config.dataverse.client.credentials.length),
    ...(dv.checkDataverse ? { checkDataverse: dv.checkDataverse } : {}),
    ...(dv.rtm ? { rtm: dv.rtm } : {}),
    onWorkStored: () => wakeWorker(),
    purchaseSignal,
    // A store shared with other instances (it has watchWork) changes behind this process's back:
    // held requests re-read it every second; a private one only needs the safety net.
    statusWait: { recheckMs: rawStore.watchWork ? 1000 : 5000 },
  });
  const adoption = {
    deploymentId: config.deploymentId,
    deadlinePolicy: config.deadline,
    returnOrigin: config.portalOrigins[0] ?? "",
  };
  const paymentsTable = buildPaymentsTable(config, overrides, dv, logger);
  const { worker, backgroundWorker } = buildWorkers(
    config,
    { ...deps, adoption, ...(paymentsTable ? { paymentsTable } : {}) },
    // Calls the Dataverse client may have in flight at once, all users together (4 without a client).
    dv.client?.metrics().users.reduce((sum, user) => sum + user.concurrencyCap, 0) ?? 4,
  );
  let ingestTimer: NodeJS.Timeout | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;
  const pruneOld = () =>
    void store.prune(clock.now() - config.retentionDays * 86_400_000).then(
      (pruned) => logger.log("info", "store pruned", { ...pruned, retentionDays: config.retentionDays }),
      (error: unknown) => logger.log("warn", "store could not be pruned; next try in six hours", { error }),
    );
  let unwatch = () => {};
  const ingest = () => {
    for (const provider of providers.all) {
      if (!provider.listMissedEvents) continue;
      void ingestMissedEvents({ provider, store, clock, logger, metrics }).then(
        (r) => (r.stored > 0 ? worker.wake() : undefined),
        (error: unknown) =>
          logger.log("warn", "missed events could not be fetched; next try at the next interval", {
            provider: provider.name,
            error,
          }),
      );
    }
  };
  return {
    handler,
    worker,
    backgroundWorker,
    store,
    providers,
    metrics,
    logger,
    tracing,
    setListenUrl: (url) => (listenUrl = url),
    startBackground() {
      worker.start();
      backgroundWorker.start();
      wakeWorker = () => worker.wake();
      pruneTimer = setInterval(pruneOld, 6 * 60 * 60_000);
      pruneTimer.unref();
      unwatch = store.watchWork?.(wakeWorker) ?? unwatch;
      const interval = overrides.missedEventsIntervalMs ?? 15 * 60_000;
      if (interval <= 0) return;
      ingest();
      ingestTimer = setInterval(ingest, interval);
      ingestTimer.unref();
    },
    async close() {
      if (ingestTimer) clearInterval(ingestTimer);
      if (pruneTimer) clearInterval(pruneTimer);
      unwatch();
      await worker.stop();
      await backgroundWorker.stop();
      dv.close();
      if (!overrides.store) await store.close();
      if (!overrides.tracing) await tracing.shutdown();
    },
  };
}
