// Figure 6 of the burst benchmark: what tracing costs. The same burst twice in one run, each on a
// fresh endpoint process: tracing off (no exporter configured), then on (OTLP/HTTP to a loopback
// collector stand-in that counts what it receives). Dataverse limits are lifted, so the figure is
// the endpoint's own overhead: webhook ack latency, the time to finalize every purchase, peak RSS.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fireWebhooks, percentile } from "./fire-webhooks";
import type { FireResult } from "./fire-webhooks";
import { waitForSettled } from "./outcomes";
import { checkoutAndPay, completedEvents, registerPurchases, signedHeaders } from "./purchases";
import { spawnEndpoint } from "./spawn-endpoint";
import type { BurstWorld } from "./stand-ins";

export interface TracingRun {
  ingest: FireResult;
  /** Real ms from the first webhook sent to every purchase settled. */
  settleMs: number;
  settled: number;
  peakRssMiB: number | null;
}

export interface TracingCostResult {
  purchases: number;
  off: TracingRun;
  on: TracingRun;
  /** What the collector stand-in received during the "on" run. */
  exported: { requests: number; spans: number; bytes: number };
}

interface Collector {
  url: string;
  received: TracingCostResult["exported"];
  close(): Promise<void>;
}

/** An OTLP/HTTP trace receiver on 127.0.0.1 that counts requests, spans (JSON bodies) and bytes. */
async function startCollector(): Promise<Collector> {
  const received = { requests: 0, spans: 0, bytes: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.requests += 1;
      received.bytes += body.length;
      try {
        const parsed = JSON.parse(body.toString("utf8")) as {
          resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>;
        };
        for (const r of parsed.resourceSpans ?? [])
          for (const s of r.scopeSpans ?? []) received.spans += s.spans?.length ?? 0;
      } catch {
        // A protobuf body: counted in requests and bytes only.
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function runOnce(
  world: BurstWorld,
  options: {
    label: string;
    purchases: number;
    fireRate: number;
    dir: string;
    extraEnv: Record<string, string>;
  },
  progress: (line: string) => void,
): Promise<TracingRun> {
  const storePath = join(options.dir, `${options.label}.sqlite`);
  world.clock.setScale(1);
  world.setTimeScale(1);
  world.liftLimits();
  const endpoint = await spawnEndpoint(
    { ...world.endpointEnv({ users: 1, storePath }), ...options.extraEnv },
    join(options.dir, `${options.label}.log`),
  );
  try {
    progress(`${options.label}: checking out ${options.purchases} purchases (setup)`);
    const paid = await checkoutAndPay(world, endpoint.url, registerPurchases(world, options.purchases));
    const events = completedEvents(world, paid);
    endpoint.setClock(world.clock.setScale(1));
    const started = Date.now();
    progress(`${options.label}: firing ${events.length} webhooks at ${options.fireRate}/s`);
    const ingest = await fireWebhooks({
      url: `${endpoint.url}/v1/webhooks/stripe`,
      bodies: events,
      ratePerSecond: options.fireRate,
      headersFor: (body) => signedHeaders(world, body),
      timeoutMs: 10_000,
    });
    const view = await waitForSettled({ kind: "sqlite", path: storePath }, options.purchases, 5 * 60_000);
    return {
      ingest,
      settleMs: Date.now() - started,
      settled: view.settled,
      peakRssMiB: endpoint.peakRssMiB(),
    };
  } finally {
    await endpoint.stop(5000);
  }
}

export async function runTracingCost(
  world: BurstWorld,
  options: { purchases: number; fireRate: number; dir: string; progress: (line: string) => void },
): Promise<TracingCostResult> {
  const base = { purchases: options.purchases, fireRate: options.fireRate, dir: options.dir };
  const off = await runOnce(world, { ...base, label: "tracing-off", extraEnv: {} }, options.progress);
  const collector = await startCollector();
  try {
    const on = await runOnce(
      world,
      {
        ...base,
        label: "tracing-on",
        extraEnv: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: "500" },
      },
      options.progress,
    );
    // The batch processor exports on SIGTERM; the stop above waited for it.
    return { purchases: options.purchases, off, on, exported: { ...collector.received } };
  } finally {
    await collector.close();
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

function runLine(label: string, r: TracingRun): string {
  const p50 = percentile(r.ingest.latenciesMs, 50);
  const p99 = percentile(r.ingest.latenciesMs, 99);
  return `  ${label.padEnd(14)} ack p50 ${fmt(p50).padStart(6)} ms  p99 ${fmt(p99).padStart(6)} ms  all settled in ${fmt(r.settleMs / 1000, 2).padStart(6)} s (${r.settled})  peak RSS ${fmt(r.peakRssMiB ?? Number.NaN)} MiB`;
}

/** The figure's lines for the benchmark's output. */
export function tracingCostLines(r: TracingCostResult, fireRate: number): string[] {
  const ratio = (on: number, off: number) => fmt(on / off, 2);
  const p99 = (run: TracingRun) => percentile(run.ingest.latenciesMs, 99);
  return [
    `\n8. Tracing cost: ${r.purchases} purchases (webhooks at ${fireRate}/s, Dataverse limits lifted), same burst twice in this run`,
    runLine("tracing off", r.off),
    runLine("tracing on", r.on),
    `  on/off: ack p99 ${ratio(p99(r.on), p99(r.off))}x, time to settle ${ratio(r.on.settleMs, r.off.settleMs)}x, peak RSS ${ratio(r.on.peakRssMiB ?? Number.NaN, r.off.peakRssMiB ?? Number.NaN)}x; exported ${r.exported.spans} spans in ${r.exported.requests} OTLP requests (${fmt(r.exported.bytes / 1024, 0)} KiB)`,
    "  off is the default: no exporter configured, no OpenTelemetry module loaded, each span a plain call",
  ];
}
