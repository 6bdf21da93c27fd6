// Burst figure 6 (issue 19): finalize throughput at the service-protection ceiling with the Dataverse
// payments table off, then on, in the same run and on the same limits. With the table on, every
// finalized purchase also costs a payments-table upsert on the same application user; the
// background lane only claims those while no finalize is pending, so the burst's throughput should
// be no lower. Afterwards the figure waits for the table to catch up and says how long that took.

import { verdict } from "../../lib/bench-report";
import { ensurePaymentsTable } from "../../../confirmation-endpoint/payments-table/create-table";
import { paymentsTableNames } from "../../../confirmation-endpoint/payments-table/definition";
import { createDataverseClient } from "../../../confirmation-endpoint/dataverse";
import { runKitBurst, type KitBurstResult } from "./run-kit-burst";
import type { BurstWorld } from "./stand-ins";

export interface PaymentsTableFigureOptions {
  purchases: number;
  timeScale: number;
  costMs: number;
  fireRate: number;
  dir: string;
  /** Finalizes per Dataverse minute the limits allow (one user). */
  ceilingPerMinute: number;
  progress: (line: string) => void;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** Makes the table in the stand-in with the create command's code (limits lifted: setup). */
async function createTable(world: BurstWorld): Promise<string> {
  world.liftLimits();
  const client = createDataverseClient({
    url: world.dataverse.url,
    tenantId: world.dataverse.tenantId,
    clientId: world.dataverse.clientId,
    credentials: [{ clientSecret: world.dataverse.clientSecret }],
    authorityHost: world.dataverse.authorityHost,
  });
  try {
    const result = await ensurePaymentsTable(client, { names: paymentsTableNames() });
    return result.entitySet ?? paymentsTableNames().expectedSet;
  } finally {
    client.close();
  }
}

/** The world with PAYMENTS_TABLE set for the endpoint processes it starts. */
function withTable(world: BurstWorld, on: boolean): BurstWorld {
  return {
    ...world,
    endpointEnv: (o) => ({ ...world.endpointEnv(o), PAYMENTS_TABLE: on ? "on" : "off" }),
  };
}

/** One burst; with the table on, waits (before the endpoint stops) until its rows are all upserted. */
async function oneRun(
  world: BurstWorld,
  on: boolean,
  label: string,
  entitySet: string,
  options: PaymentsTableFigureOptions,
): Promise<{ result: KitBurstResult; rows: number; catchUpMs: number }> {
  let rows = 0;
  let catchUpMs = Number.NaN;
  const result = await runKitBurst(withTable(world, on), {
    purchases: options.purchases,
    users: 1,
    timeScale: options.timeScale,
    costMs: options.costMs,
    fireRate: options.fireRate,
    dir: options.dir,
    settleTimeoutMs: 15 * 60_000,
    progress: options.progress,
    label,
    ...(on
      ? {
          afterSettled: async (ids) => {
            // The burst's rows only (the warm-up's purchases have rows too).
            const burst = new Set(ids);
            const purchaseRef = paymentsTableNames().columns.purchaseRef;
            const from = world.clock.now();
            const until = Date.now() + 10 * 60_000;
            while (Date.now() < until) {
              rows = world.dataverse.state
                .list(entitySet)
                .filter((r) => burst.has(String(r[purchaseRef]))).length;
              if (rows >= options.purchases) break;
              await new Promise((r) => setTimeout(r, 200));
            }
            catchUpMs = world.clock.now() - from;
          },
        }
      : {}),
  });
  return { result, rows, catchUpMs };
}

const perMinute = (r: KitBurstResult) => r.dataverse.processed / (r.clockMs / 60_000);

/**
 * Off, on, on, off (ABBA): a drift over the run (warm-up, a busy machine) weighs on both sides
 * alike; the figure compares the mean throughput of each side.
 */
export async function runPaymentsTableFigure(
  world: BurstWorld,
  options: PaymentsTableFigureOptions,
): Promise<string[]> {
  const entitySet = await createTable(world);
  const runs: Array<{ on: boolean; result: KitBurstResult; rows: number; catchUpMs: number }> = [];
  for (const [i, on] of [false, true, true, false].entries())
    runs.push({
      on,
      ...(await oneRun(world, on, `table-${on ? "on" : "off"}-${i + 1}`, entitySet, options)),
    });
  const mean = (on: boolean) => {
    const side = runs.filter((r) => r.on === on).map((r) => perMinute(r.result));
    return side.reduce((a, b) => a + b, 0) / side.length;
  };
  const ratio = mean(true) / mean(false);
  const line = (r: (typeof runs)[number]) =>
    `  table ${r.on ? "on " : "off"}: finalized ${r.result.dataverse.processed}/${options.purchases} in ${fmt(r.result.clockMs / 60_000)} Dataverse min: ${fmt(perMinute(r.result))}/min = ${fmt((perMinute(r.result) / options.ceilingPerMinute) * 100)}% of the ceiling, 429s ${r.result.throttled}, refunds ${r.result.refunds}` +
    (r.on
      ? `; rows ${r.rows}/${options.purchases} upserted ${fmt(r.catchUpMs / 60_000)} Dataverse min after it settled`
      : "");
  return [
    `\n9. Payments table under the burst: ${options.purchases} paid purchases at the ceiling, 1 user, Dataverse time x${options.timeScale}, runs off, on, on, off (same limits)`,
    ...runs.map(line),
    `  mean throughput on/off: ${fmt(ratio, 2)}x (target: no lower; >= 0.95 allows run-to-run noise) ${verdict(ratio >= 0.95)}`,
  ];
}
