// The Prometheus metrics of /metrics, on prom-client with a registry per endpoint (tests and the
// sandbox run several endpoints in one process). Counters and histograms are updated as work
// happens; the backlog gauges are read from the store when /metrics is scraped. Labels are small
// fixed vocabularies (outcome, reason, action): never ids, never personal data.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DataverseClientMetrics } from "./dataverse/dataverse-client";
import type { StoreBacklog } from "./store/types";

type Labels = Record<string, string>;

const COUNTERS = {
  gateway_webhooks_total: {
    help: "Webhook requests by outcome (stored, duplicate, empty, rejected, store_failed, too_large, ingested).",
    labels: ["outcome"],
  },
  gateway_checkouts_total: { help: "Checkout requests by outcome.", labels: ["outcome"] },
  gateway_finalize_attempts_total: { help: "Finalize calls to Dataverse by outcome.", labels: ["outcome"] },
  gateway_dataverse_throttles_total: {
    help: "Finalize attempts that ended in Dataverse throttling (429 or a throttling code).",
    labels: [],
  },
  gateway_refunds_total: {
    help: "Refund calls to the provider by reason and status.",
    labels: ["reason", "status"],
  },
  gateway_deadline_misses_total: {
    help: "Paid purchases that reached the deadline guard without being finalized.",
    labels: [],
  },
  gateway_dead_letters_total: {
    help: "Entries written to the dead-letter table, by kind.",
    labels: ["kind"],
  },
  gateway_jobs_total: {
    help: "Outbox jobs handled by the worker, by kind and outcome.",
    labels: ["kind", "outcome"],
  },
  gateway_rejected_requests_total: {
    help: "Requests refused before any work (bad proof, bad signature, made-up ids), by route and reason.",
    labels: ["route", "reason"],
  },
} as const;

export type MetricName = keyof typeof COUNTERS;

/** Seconds; from a fast store commit to a Dataverse call waiting out throttling. */
const LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds; a webhook answer is a verify and one commit, and providers give up after a few seconds. */
const ACK_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  increment(name: MetricName, labels?: Labels, by?: number): void;
  observeFinalizeSeconds(seconds: number): void;
  /** From the webhook's arrival to its answer, by provider and outcome. */
  observeWebhookAckSeconds(seconds: number, labels: { provider: string; outcome: string }): void;
  /** One Event Management operation (transport retries included), by action and outcome. */
  observeDataverseSeconds(seconds: number, labels: { action: string; outcome: string }): void;
  /** Read the backlog gauges from `read` at each scrape (the endpoint's store). */
  watchBacklog(read: (now: number) => Promise<StoreBacklog>, now: () => number): void;
  /** Read the Dataverse gauges from the client at each scrape (its application users' holds). */
  watchDataverse(read: () => DataverseClientMetrics): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
  /** Current value of a counter (tests, benchmarks). */
  value(name: MetricName, labels?: Labels): Promise<number>;
}

export interface MetricsOptions {
  /** prom-client's default process metrics (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean;
}

type BacklogGauge =
  | "gateway_outbox_due_jobs"
  | "gateway_outbox_oldest_due_job_age_seconds"
  | "gateway_purchases_awaiting_finalize"
  | "gateway_deadline_min_time_left_seconds"
  | "gateway_refunds_pending"
  | "gateway_refunds_failed_open"
  | "gateway_dead_letters_open";

const GAUGE_HELP: Record<BacklogGauge, string> = {
  gateway_outbox_due_jobs: "Outbox jobs due now and not done yet (the worker's backlog).",
  gateway_outbox_oldest_due_job_age_seconds: "How long the oldest due job has waited; 0 when none is due.",
  gateway_purchases_awaiting_finalize: "Purchases paid and not finalized yet (paid, finalizing).",
  gateway_deadline_min_time_left_seconds:
    "Smallest time left before the Dataverse deadline among purchases paid and not finalized; NaN when none waits.",
  gateway_refunds_pending: "Refunds asked of the provider and not settled yet.",
  gateway_refunds_failed_open:
    "Refunds that failed and are still recorded as failed (each is also a dead letter).",
  gateway_dead_letters_open: "Dead letters nobody has resolved yet (npm run reconcile lists them).",
};

function backlogGauges(registry: Registry, latest: () => StoreBacklog | null, now: () => number): void {
  const values: Record<BacklogGauge, (b: StoreBacklog) => number> = {
    gateway_outbox_due_jobs: (b) => b.dueJobs,
    gateway_outbox_oldest_due_job_age_seconds: (b) =>
      b.oldestDueJobAt === null ? 0 : Math.max(0, (now() - b.oldestDueJobAt) / 1000),
    gateway_purchases_awaiting_finalize: (b) => b.awaitingFinalize,
    gateway_deadline_min_time_left_seconds: (b) =>
      b.nearestDeadlineAt === null ? Number.NaN : (b.nearestDeadlineAt - now()) / 1000,
    gateway_refunds_pending: (b) => b.refundsPending,
    gateway_refunds_failed_open: (b) => b.refundsFailed,
    gateway_dead_letters_open: (b) => b.openDeadLetters,
  };
  for (const name of Object.keys(GAUGE_HELP) as BacklogGauge[]) {
    new Gauge({
      name,
      help: GAUGE_HELP[name],
      registers: [registry],
      collect() {
        const backlog = latest();
        // The store could not answer (readiness says so): the gauge is unknown, not zero.
        this.set(backlog === null ? Number.NaN : values[name](backlog));
      },
    });
  }
}

type DataverseGauge =
  | "gateway_dataverse_users_held"
  | "gateway_dataverse_hold_seconds_left"
  | "gateway_dataverse_requests_in_flight";

const DATAVERSE_GAUGES: Record<
  DataverseGauge,
  { help: string; value: (d: DataverseClientMetrics) => number }
> = {
  gateway_dataverse_users_held: {
    help: "Application users Dataverse holds after a 429 until their Retry-After ends, as this instance knows (its own 429s and the holds shared through the store).",
    value: (d) => d.users.filter((user) => user.throttledUntil !== null).length,
  },
  gateway_dataverse_hold_seconds_left: {
    help: "Longest time left of a Dataverse throttling hold among the application users; 0 when none is held.",
    value: (d) =>
      d.users.reduce((longest, user) => Math.max(longest, ((user.throttledUntil ?? d.at) - d.at) / 1000), 0),
  },
  gateway_dataverse_requests_in_flight: {
    help: "Requests to Dataverse under way, all application users together.",
    value: (d) => d.users.reduce((sum, user) => sum + user.inFlight, 0),
  },
};

function dataverseGauges(registry: Registry, latest: () => DataverseClientMetrics | null): void {
  for (const [name, gauge] of Object.entries(DATAVERSE_GAUGES)) {
    new Gauge({
      name,
      help: gauge.help,
      registers: [registry],
      collect() {
        const client = latest();
        // No Dataverse client in this endpoint (a test's stand-in): unknown, not zero.
        this.set(client === null ? Number.NaN : gauge.value(client));
      },
    });
  }
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const counters = new Map<string, Counter>();
  for (const [name, def] of Object.entries(COUNTERS)) {
    counters.set(
      name,
      new Counter({ name, help: def.help, labelNames: [...def.labels], registers: [registry] }),
    );
  }
  const finalize = new Histogram({
    name: "gateway_finalize_duration_seconds",
    help: "Time spent in one finalize call to Dataverse.",
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [registry],
  });
  const ack = new Histogram({
    name: "gateway_webhook_ack_duration_seconds",
    help: "From a webhook's arrival to the endpoint's answer (verify, store, acknowledge), by provider and outcome.",
    labelNames: ["provider", "outcome"],
    buckets: ACK_BUCKETS_SECONDS,
    registers: [registry],
  });
  const dataverse = new Histogram({
    name: "gateway_dataverse_request_duration_seconds",
    help: "One Event Management operation on Dataverse (its transport retries included), by action and outcome.",
    labelNames: ["action", "outcome"],
    buckets: LATENCY_BUCKETS_SECONDS,
    registers: [registry],
  });
  let read: ((now: number) => Promise<StoreBacklog>) | null = null;
  let readDataverse: (() => DataverseClientMetrics) | null = null;
  let clock: () => number = Date.now;
  // Read once per scrape, before the registry collects: every backlog gauge shows the same moment.
  let backlog: StoreBacklog | null = null;
  backlogGauges(
    registry,
    () => backlog,
    () => clock(),
  );
  let dataverseNow: DataverseClientMetrics | null = null;
  dataverseGauges(registry, () => dataverseNow);

  return {
    increment(name, labels = {}, by = 1) {
      counters.get(name)?.inc(labels, by);
    },
    observeFinalizeSeconds: (seconds) => finalize.observe(seconds),
    observeWebhookAckSeconds: (seconds, labels) => ack.observe(labels, seconds),
    observeDataverseSeconds: (seconds, labels) => dataverse.observe(labels, seconds),
    watchBacklog(reader, now) {
      read = reader;
      clock = now;
    },
    watchDataverse(reader) {
      readDataverse = reader;
    },
    async render() {
      backlog = read ? await read(clock()).catch(() => null) : null;
      dataverseNow = readDataverse?.() ?? null;
      return registry.metrics();
    },
    contentType: registry.contentType,
    async value(name, labels = {}) {
      const metric = await counters.get(name)?.get();
      const key = JSON.stringify(Object.entries(labels).sort());
      const found = metric?.values.find((v) => JSON.stringify(Object.entries(v.labels).sort()) === key);
      return found?.value ?? 0;
    },
  };
}
