// Where a burst run keeps the endpoint's state: a fresh SQLite file per run (the default), or a
// fresh database per run on one throwaway PostgreSQL cluster (Debian's postgresql package, started
// with its durability on, as a production server would run). Each run gets the STORE_URL and
// friends for its endpoint processes, and the benchmark can read the database server's CPU.

import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { parseStoreUrl } from "../../../confirmation-endpoint/store/store-url";
import type { StoreConfig } from "../../../confirmation-endpoint/store/store-url";
import { findPostgresBin, startCluster } from "../../../sandbox/postgres-cluster";
import { processTreeCpuMs } from "./process-cpu";

/** One run's store: its parsed configuration (for reading outcomes) and the endpoint's variables. */
export interface StoreTarget {
  config: StoreConfig;
  env: Record<string, string>;
}

export interface BenchStore {
  kind: "sqlite" | "postgres";
  /** A fresh, empty store for the run named `label`. */
  fresh(label: string): Promise<StoreTarget>;
  /** CPU ms the database server has used so far (PostgreSQL's processes); 0 for SQLite, which runs inside the endpoint. */
  serverCpuMs(): number;
  close(): Promise<void>;
}

export function sqliteBenchStore(dir: string): BenchStore {
  return {
    kind: "sqlite",
    fresh(label) {
      const url = `sqlite:${join(dir, `${label}.sqlite`)}`;
      return Promise.resolve({ config: parseStoreUrl(url) as StoreConfig, env: { STORE_URL: url } });
    },
    serverCpuMs: () => 0,
    close: () => Promise.resolve(),
  };
}

/**
 * A throwaway PostgreSQL cluster, or null when the package is missing (the caller says so and skips
 * its PostgreSQL figures). `poolSize` is STORE_POOL_SIZE for each endpoint process.
 */
export async function postgresBenchStore(options: { poolSize: number }): Promise<BenchStore | null> {
  const bin = findPostgresBin();
  if (!bin) return null;
  // BURST_PG_STATEMENTS=<file>: count every statement the runs send (pg_stat_statements), written there at the end.
  const statementsFile = process.env.BURST_PG_STATEMENTS;
  const cluster = await startCluster(bin, {
    durable: true,
    ...(statementsFile ? { settings: STATEMENT_COUNTING } : {}),
  });
  let databases = 0;
  const postmaster = () =>
    Number(readFileSync(join(cluster.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    kind: "postgres",
    async fresh(label) {
      const name = `burst_${++databases}_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`;
      const url = await cluster.createDatabase(name);
      const env = { STORE_URL: url, PGSSLMODE: "disable", STORE_POOL_SIZE: String(options.poolSize) };
      return { config: parseStoreUrl(url, env) as StoreConfig, env };
    },
    serverCpuMs() {
      try {
        return processTreeCpuMs(postmaster()) ?? 0;
      } catch {
        return 0;
      }
    },
    async close() {
      if (statementsFile) await writeStatementCounts(cluster.url("postgres"), statementsFile);
      await cluster.stop();
    },
  };
}

const STATEMENT_COUNTING = {
  shared_preload_libraries: "pg_stat_statements",
  "pg_stat_statements.track": "all",
};

/** One line per database and statement: calls, execution ms, the statement's text on one line. */
async function writeStatementCounts(url: string, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    const { rows } = await client.query<{ datname: string; calls: string; ms: string; query: string }>(
      `SELECT d.datname, s.calls, round(s.total_exec_time) AS ms, regexp_replace(s.query, '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid ORDER BY d.datname, s.calls DESC`,
    );
    const lines = rows.map((r) => [r.datname, r.calls, r.ms, r.query].join("\t"));
    writeFileSync(file, `database\tcalls\texec ms\tstatement\n${lines.join("\n")}\n`);
  } finally {
    await client.end();
  }
}
