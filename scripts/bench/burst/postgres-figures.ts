// The burst benchmark on PostgreSQL: the same kit bursts as the SQLite figures, on one database of a
// throwaway cluster (durability on), with 1 and with N endpoint instances sharing it (webhooks dealt
// out to the instances in turn; each instance holding its own application user, or all of them),
// and the crash loop with N instances killed at random (own users, or all sharing one). Instances
// that share a user share its throttling holds through the store. Without Debian's postgresql
// package the figures are skipped with a note instead.

import type { BenchStore } from "./bench-store";
import { postgresBenchStore } from "./bench-store";
import { runCrashLoop } from "./crash-loop";
import type { CrashLoopResult } from "./crash-loop";
import { runKitBurst } from "./run-kit-burst";
import type { KitBurstResult } from "./run-kit-burst";
import type { BurstWorld } from "./stand-ins";

export interface PostgresPlan {
  /** Purchases per measured burst (each fired at `fireRate`, finalized by `users` application users). */
  purchases: number;
  /**
   * The layouts measured side by side: how many instances, and whether instance i holds application
   * user i only (`userPerInstance`, needs instances = users) or every instance holds all the users.
   */
  layouts: Array<{ instances: number; userPerInstance: boolean }>;
  users: number;
  timeScale: number;
  costMs: number;
  fireRate: number;
  settleTimeoutMs: number;
  /** STORE_POOL_SIZE of each instance. */
  poolSize: number;
  crash: {
    purchases: number;
    instances: number;
    kills: number;
    timeScale: number;
    costMs: number;
    settleTimeoutMs: number;
    killAfterMs?: [number, number];
    /** Instance i holds user i (true, the default), or all share user 1 and its throttling holds (false). */
    userPerInstance?: boolean;
  };
}

export interface PostgresFigures {
  /** `userPerInstance`: instance i held user i only; otherwise every instance held all the users. */
  byInstances: Array<{ instances: number; userPerInstance: boolean; run: KitBurstResult }>;
  crash: CrashLoopResult;
}

export type PostgresOutcome = { skipped: string } | ({ skipped: null } & PostgresFigures);

export const POSTGRES_MISSING =
  'no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb, Debian package "postgresql"): PostgreSQL figures skipped; apt-get install postgresql to measure them';

export async function runPostgresFigures(
  world: BurstWorld,
  plan: PostgresPlan,
  options: { dir: string; progress: (line: string) => void },
): Promise<PostgresOutcome> {
  const store: BenchStore | null = await postgresBenchStore({ poolSize: plan.poolSize });
  if (!store) return { skipped: POSTGRES_MISSING };
  try {
    const byInstances: PostgresFigures["byInstances"] = [];
    for (const { instances, userPerInstance } of plan.layouts) {
      const run = await runKitBurst(world, {
        label: `pg-${instances}-instances${userPerInstance ? "-own-user" : ""}`,
        userPerInstance,
        purchases: plan.purchases,
        users: plan.users,
        timeScale: plan.timeScale,
        costMs: plan.costMs,
        fireRate: plan.fireRate,
        dir: options.dir,
        settleTimeoutMs: plan.settleTimeoutMs,
        progress: options.progress,
        store,
        instances,
      });
      byInstances.push({ instances, userPerInstance, run });
    }
    const crash = await runCrashLoop(world, {
      label: "pg-crash",
      purchases: plan.crash.purchases,
      kills: plan.crash.kills,
      dir: options.dir,
      settleTimeoutMs: plan.crash.settleTimeoutMs,
      ceiling: { timeScale: plan.crash.timeScale, costMs: plan.crash.costMs },
      ...(plan.crash.killAfterMs ? { killAfterMs: plan.crash.killAfterMs } : {}),
      progress: options.progress,
      store,
      instances: plan.crash.instances,
      ...(plan.crash.userPerInstance === false ? { userPerInstance: false } : {}),
    });
    return { skipped: null, byInstances, crash };
  } finally {
    await store.close();
  }
}

/** CPU ms per acknowledged webhook during the ingest of `run`: the endpoint processes, the database server, both. */
export function cpuPerAck(run: KitBurstResult): { endpoints: number; server: number; total: number } {
  const acks = run.ingest.statuses["200"] ?? 0;
  const endpoints =
    run.ingestCpuMs.endpoints === null || acks === 0 ? Number.NaN : run.ingestCpuMs.endpoints / acks;
  const server = acks === 0 ? Number.NaN : run.ingestCpuMs.server / acks;
  return { endpoints, server, total: endpoints + server };
}
