// What one durable commit costs on this disk right now: SQLite in WAL mode with synchronous=FULL,
// as the endpoint's store runs, one small insert per transaction. Printed beside the ingest
// latencies because every acknowledged webhook waits for at least one such fsync.

import Database from "better-sqlite3";
import { join } from "node:path";
import { percentile } from "./fire-webhooks";

export function probeDurableCommits(
  dir: string,
  commits = 200,
): { perSecond: number; p50Ms: number; p99Ms: number } {
  const db = new Database(join(dir, "disk-probe.sqlite"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("CREATE TABLE IF NOT EXISTS t (x INTEGER)");
    const insert = db.prepare("INSERT INTO t (x) VALUES (?)");
    const latencies: number[] = [];
    const start = performance.now();
    for (let i = 0; i < commits; i++) {
      const t = performance.now();
      insert.run(i);
      latencies.push(performance.now() - t);
    }
    const seconds = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      perSecond: commits / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    db.close();
  }
}
