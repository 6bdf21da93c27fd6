// Prometheus counters and one latency histogram, kept in memory and rendered as text at /metrics.
// Labels are small fixed vocabularies (outcome, reason): never ids, never personal data.

type Labels = Record<string, string>;

const LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface CounterDef {
  help: string;
  values: Map<string, { labels: Labels; value: number }>;
}

export interface Metrics {
  increment(name: MetricName, labels?: Labels, by?: number): void;
  observeFinalizeSeconds(seconds: number): void;
  render(): string;
  /** Current value of a counter (tests, benchmarks). */
  value(name: MetricName, labels?: Labels): number;
}

const COUNTERS = {
  gateway_webhooks_total:
    "Webhook requests by outcome (stored, duplicate, rejected, store_failed, too_large).",
  gateway_checkouts_total: "Checkout requests by outcome.",
  gateway_finalize_attempts_total: "Finalize calls to Dataverse by outcome.",
  gateway_dataverse_throttles_total:
    "Finalize attempts that ended in Dataverse throttling (429 or a throttling code).",
  gateway_refunds_total: "Refund calls to the provider by reason and status.",
  gateway_deadline_misses_total: "Paid purchases that reached the deadline guard without being finalized.",
  gateway_dead_letters_total: "Entries written to the dead-letter table, by kind.",
  gateway_jobs_total: "Outbox jobs handled by the worker, by kind and outcome.",
  gateway_rejected_requests_total:
    "Requests refused before any work (bad proof, bad signature, made-up ids), by route and reason.",
} as const;

export type MetricName = keyof typeof COUNTERS;

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

function renderLabels(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map(
      (k) => `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
    );
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

export function createMetrics(): Metrics {
  const counters = new Map<string, CounterDef>();
  for (const [name, help] of Object.entries(COUNTERS)) counters.set(name, { help, values: new Map() });
  const buckets = LATENCY_BUCKETS_SECONDS.map(() => 0);
  let latencySum = 0;
  let latencyCount = 0;

  return {
    increment(name, labels = {}, by = 1) {
      const def = counters.get(name);
      if (!def) return;
      const key = labelKey(labels);
      const entry = def.values.get(key) ?? { labels, value: 0 };
      entry.value += by;
      def.values.set(key, entry);
    },
    observeFinalizeSeconds(seconds) {
      latencySum += seconds;
      latencyCount += 1;
      LATENCY_BUCKETS_SECONDS.forEach((limit, i) => {
        if (seconds <= limit) buckets[i] = (buckets[i] ?? 0) + 1;
      });
    },
    value(name, labels = {}) {
      return counters.get(name)?.values.get(labelKey(labels))?.value ?? 0;
    },
    render() {
      const lines: string[] = [];
      for (const [name, def] of counters) {
        lines.push(`# HELP ${name} ${def.help}`, `# TYPE ${name} counter`);
        if (def.values.size === 0) lines.push(`${name} 0`);
        for (const { labels, value } of def.values.values())
          lines.push(`${name}${renderLabels(labels)} ${value}`);
      }
      const h = "gateway_finalize_duration_seconds";
      lines.push(`# HELP ${h} Time spent in one finalize call to Dataverse.`, `# TYPE ${h} histogram`);
      LATENCY_BUCKETS_SECONDS.forEach((limit, i) =>
        lines.push(`${h}_bucket{le="${limit}"} ${buckets[i] ?? 0}`),
      );
      lines.push(
        `${h}_bucket{le="+Inf"} ${latencyCount}`,
        `${h}_sum ${latencySum}`,
        `${h}_count ${latencyCount}`,
      );
      return `${lines.join("\n")}\n`;
    },
  };
}
