// /metrics as Prometheus reads it: the text parsed by parse-prometheus-text-format after a real
// purchase flow through the harness, every metric the operations guide alerts on present with
// values that follow the flow (backlog gauges read from the store at scrape time).

import parsePrometheusTextFormat from "parse-prometheus-text-format";
import type { ParsedFamily } from "parse-prometheus-text-format";
import { afterEach, describe, expect, it } from "vitest";
import { createHarness, CONTACT, PURCHASE, T0, payAndNotify } from "./harness";
import type { Harness } from "./harness";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function start(): Harness {
  const created = createHarness({ processMetrics: true });
  created.dataverse.addPurchase({
    purchaseId: PURCHASE,
    createdOn: new Date(T0).toISOString(),
    contactId: CONTACT,
  });
  return created;
}

interface Scrape {
  families: Map<string, ParsedFamily>;
  /** One sample's value by full sample name (…_count, …_bucket) and labels; undefined when absent. */
  sample(name: string, labels?: Record<string, string>): number | undefined;
}

async function scrape(harness: Harness): Promise<Scrape> {
  const res = await harness.app(new Request("http://e.test/metrics"));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  const text = await res.text();
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  // The parser folds a labelled histogram's series into one; read without TYPE lines, every
  // sample comes back on its own with its labels.
  const untyped = parsePrometheusTextFormat(text.replace(/^# TYPE .*$/gm, ""));
  const sample = (name: string, labels: Record<string, string> = {}) => {
    // A series' lines are interleaved with its siblings', so one name can come back as several families.
    const found = untyped
      .filter((f) => f.name === name)
      .flatMap((f) => f.metrics)
      .find((m) => JSON.stringify(m.labels ?? {}) === JSON.stringify(labels));
    return found?.value === undefined ? undefined : Number(found.value);
  };
  return { families, sample };
}

const COUNTERS = [
  "gateway_webhooks_total",
  "gateway_checkouts_total",
  "gateway_finalize_attempts_total",
  "gateway_dataverse_throttles_total",
  "gateway_refunds_total",
  "gateway_deadline_misses_total",
  "gateway_dead_letters_total",
  "gateway_jobs_total",
  "gateway_rejected_requests_total",
];
const HISTOGRAMS = [
  "gateway_finalize_duration_seconds",
  "gateway_webhook_ack_duration_seconds",
  "gateway_dataverse_request_duration_seconds",
];
const GAUGES = [
  "gateway_outbox_due_jobs",
  "gateway_outbox_oldest_due_job_age_seconds",
  "gateway_purchases_awaiting_finalize",
  "gateway_deadline_min_time_left_seconds",
  "gateway_refunds_pending",
  "gateway_refunds_failed_open",
  "gateway_dead_letters_open",
];
const PROCESS = [
  "process_cpu_user_seconds_total",
  "process_resident_memory_bytes",
  "nodejs_eventloop_lag_seconds",
];

describe("/metrics through a Prometheus text parser", () => {
  it("has every counter, histogram, backlog gauge and process metric, typed", async () => {
    h = start();
    const { families } = await scrape(h);
    const typeOf = (name: string) => families.get(name)?.type;
    for (const name of COUNTERS) expect([name, typeOf(name)]).toEqual([name, "COUNTER"]);
    for (const name of HISTOGRAMS) expect([name, typeOf(name)]).toEqual([name, "HISTOGRAM"]);
    for (const name of GAUGES) expect([name, typeOf(name)]).toEqual([name, "GAUGE"]);
    for (const name of PROCESS) expect(families.has(name), name).toBe(true);
  });

  it("follows a purchase: backlog while the payment waits, the deadline while it is paid, latencies once finalized", async () => {
    h = start();
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify(h);
    const queued = await scrape(h);
    expect(queued.sample("gateway_outbox_due_jobs")).toBeGreaterThanOrEqual(1);
    expect(queued.sample("gateway_deadline_min_time_left_seconds")).toBeNaN();
    expect(
      queued.sample("gateway_webhook_ack_duration_seconds_count", { provider: "stripe", outcome: "stored" }),
    ).toBe(1);

    h.clock.advance(30_000);
    const waited = await scrape(h);
    expect(waited.sample("gateway_outbox_oldest_due_job_age_seconds")).toBeGreaterThanOrEqual(30);

    await h.worker.runOnce(); // the payment job: paid, finalize next
    const paid = await scrape(h);
    expect(paid.sample("gateway_purchases_awaiting_finalize")).toBe(1);
    const left = paid.sample("gateway_deadline_min_time_left_seconds")!;
    // The outbound window is 50 minutes from T0; the clock is a few minutes past it.
    expect(left).toBeGreaterThan(40 * 60);
    expect(left).toBeLessThanOrEqual(48 * 60);

    await h.settle();
    const done = await scrape(h);
    expect(done.sample("gateway_purchases_awaiting_finalize")).toBe(0);
    expect(done.sample("gateway_deadline_min_time_left_seconds")).toBeNaN();
    expect(done.sample("gateway_outbox_due_jobs")).toBe(0);
    expect(done.sample("gateway_refunds_pending")).toBe(0);
    expect(done.sample("gateway_dead_letters_open")).toBe(0);
    expect(done.sample("gateway_webhooks_total", { outcome: "stored" })).toBe(1);
    expect(done.sample("gateway_finalize_attempts_total", { outcome: "finalized" })).toBe(1);
    expect(done.sample("gateway_finalize_duration_seconds_count")).toBe(1);
    const dataverse = (action: string, outcome: string) =>
      done.sample("gateway_dataverse_request_duration_seconds_count", { action, outcome });
    expect(dataverse("finalize_registration", "finalized")).toBe(1);
    expect(dataverse("get_purchase_details", "ok")).toBeGreaterThanOrEqual(1);
    expect(done.sample("process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts a refund that failed as open until it is resolved, and a Dataverse refusal by its outcome", async () => {
    h = start();
    h.dataverse.finalizeScript.push({ kind: "reject", reason: "sold out" });
    h.provider.refundScript.push("failed");
    await payAndNotify(h);
    await h.settle();
    const after = await scrape(h);
    expect(after.sample("gateway_refunds_failed_open")).toBe(1);
    expect(after.sample("gateway_dead_letters_open")).toBeGreaterThanOrEqual(1);
    expect(after.sample("gateway_refunds_pending")).toBe(0);
    expect(
      after.sample("gateway_dataverse_request_duration_seconds_count", {
        action: "finalize_registration",
        outcome: "rejected",
      }),
    ).toBe(1);
  });

  it("a store that cannot answer leaves the backlog gauges unknown (NaN), not zero, and /metrics still answers", async () => {
    h = start();
    h.storeSwitch.mode = "down";
    const down = await scrape(h);
    expect(down.sample("gateway_outbox_due_jobs")).toBeNaN();
    expect(down.sample("gateway_dead_letters_open")).toBeNaN();
  });
});
