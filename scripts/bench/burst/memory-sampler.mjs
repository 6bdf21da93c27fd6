// Preload for the benchmark's endpoint process, to see where its memory goes over a burst:
//   BURST_NODE_ARGS="--import ./scripts/bench/burst/memory-sampler.mjs" BURST_FIGURES=1,2,5 npm run bench -- burst
// Appends one JSON line every 20 ms for the first 6 s, then every 200 ms, to
// <tmpdir>/endpoint-memory-<pid>.jsonl (the path goes to the endpoint's stderr log): RSS split into
// anonymous and file-backed pages (/proc/self/status, Linux), the V8 heap and each space's committed
// and used MiB, and the garbage collections so far (count and pause ms by kind).

import { appendFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver, constants } from "node:perf_hooks";
import v8 from "node:v8";

const file = join(tmpdir(), `endpoint-memory-${process.pid}.jsonl`);
process.stderr.write(`memory-sampler: writing ${file}\n`);
const started = Date.now();
const mib = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
const kinds = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};
const gc = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = kinds[entry.detail?.kind] ?? "other";
    gc[kind] ??= { count: 0, ms: 0 };
    gc[kind].count += 1;
    gc[kind].ms = Math.round((gc[kind].ms + entry.duration) * 10) / 10;
  }
}).observe({ entryTypes: ["gc"] });

function statusMiB(status, field) {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
  return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10;
}

function sample() {
  let status = "";
  try {
    status = readFileSync("/proc/self/status", "utf8");
  } catch {
    // not Linux: the V8 figures alone
  }
  const memory = process.memoryUsage();
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics())
    spaces[s.space_name.replace(/_space$/, "")] = [mib(s.space_size), mib(s.space_used_size)];
  const line = {
    t: Date.now() - started,
    rss: mib(memory.rss),
    anon: statusMiB(status, "RssAnon"),
    file: statusMiB(status, "RssFile"),
    heapTotal: mib(memory.heapTotal),
    heapUsed: mib(memory.heapUsed),
    external: mib(memory.external),
    spaces,
    gc,
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
  setTimeout(sample, line.t < 6000 ? 20 : 200).unref();
}
sample();
