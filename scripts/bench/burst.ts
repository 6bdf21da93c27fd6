// Benchmark: a ticket-drop burst against Dataverse's service-protection limits (issues 9, 15, 22).
// Each figure beside a baseline measured in the same run:
//  1. webhook ingest: signed webhooks fired at a fixed rate at the endpoint process, ack latency,
//     against a receiver that finalizes inside the request;
//  2. finalize at the ceiling: the Dataverse stand-in at the real limits, time-scaled, windows full
//     when the burst arrives, a user that keeps sending while throttled held longer (as Microsoft
//     documents); throughput as a fraction of what the limits allow, 429s, retries, deadline slack,
//     registrations, duplicates, refunds; against a fixed-concurrency client that ignores Retry-After;
//  3. one application user against three;
//  3t. 2 and 3 again with each finalize taking its execution time before Dataverse answers (varied);
//  4. SIGKILL of the endpoint process five times during a burst, restart, nothing lost or doubled;
//  5. peak RSS of the endpoint process during 1 and 2;
//  6. the PostgreSQL store with 1 and 3 endpoint instances side by side (ingest, ceiling with 3
//     users, CPU per acknowledged webhook), and the crash loop with 3 instances;
//  7. CPU per acknowledged webhook, SQLite against PostgreSQL;
//  8. tracing off against on, the same burst twice (burst/tracing-cost.ts);
//  9. the Dataverse payments table off vs on at the ceiling (burst/payments-table-figure.ts).
// Figure 1 also runs the kit's ingest alone against its floor (burst/ingest-floor.ts).
// BURST_QUICK=1 (or BENCH_QUICK=1) runs smaller bursts; BURST_PURCHASES overrides the size of 2;
// BURST_POSTGRES=0 leaves 6 out; BURST_HOLD_EXTENSION_MS sets the INFERRED hold extension;
// BURST_FIGURES=1,2,5 runs only those figures (ids 1, 1b, 2, 3, 3t, 4 … 9; 1b is figure 1's floor comparison),
// plus the ones they need (2 and 3 read 1's run, 6 reads 3's; each says so on stderr); 5 and 7
// report the runs that happened and name the ones that did not. BURST_SHARED_USERS=1 adds figure 6's
// shared-user runs; BURST_SHARED_HOLDS=0 makes every endpoint keep throttling holds to itself (the
// baseline before they were shared through the store); BURST_ACK_TIMELINE=<file> writes every
// ack's time and latency. Setup work (registrations, checkouts, payments) runs in real time with
// the limits off and is not measured, and so does each endpoint's warm-up (burst/warm-up.ts), whose
// latencies are printed as the cold figures. docs/benchmarks.md says how to read every figure.
//
// The report is a list of figures (`figures` below), run in order; each prints its own lines and
// may read what earlier ones left in `ctx.results`. A new figure is one more entry.

import { verdict } from "../lib/bench-report";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultLimits } from "../../sandbox/dataverse/service-protection";
import { runCrashLoop } from "./burst/crash-loop";
import type { CrashLoopResult } from "./burst/crash-loop";
import { fireWebhooks, percentile } from "./burst/fire-webhooks";
import type { FireResult } from "./burst/fire-webhooks";
import { finalizeNaively } from "./burst/naive-finalizer";
import type { NaiveResult } from "./burst/naive-finalizer";
import { cpuPerAck, runPostgresFigures } from "./burst/postgres-figures";
import type { PostgresOutcome } from "./burst/postgres-figures";
import { probeDurableCommits } from "./burst/probe-disk";
import { registerPurchases, signedHeaders } from "./burst/purchases";
import { ingestFloorLines, ingestFloorPlan, runIngestFloor } from "./burst/ingest-floor";
import { runKitBurst } from "./burst/run-kit-burst";
import { runPaymentsTableFigure } from "./burst/payments-table-figure";
import { runTracingCost, tracingCostLines } from "./burst/tracing-cost";
import type { KitBurstResult } from "./burst/run-kit-burst";
import { createScaledClock } from "./burst/scaled-clock";
import { selectFigures } from "./burst/select-figures";
import type { ScaledClock } from "./burst/scaled-clock";
import { spawnEndpoint } from "./burst/spawn-endpoint";
import { startBurstWorld } from "./burst/stand-ins";
import type { BurstWorld } from "./burst/stand-ins";
import { fireWarmUp, WARM_UP_PER_INSTANCE, WARM_UP_RATE } from "./burst/warm-up";

export const name = "burst";
export const describe =
  "ticket-drop burst at Dataverse's service-protection limits: ingest, ceiling, 1 vs 3 users, SIGKILL loop, RSS, PostgreSQL with 1 and 3 instances, CPU per webhook";

/** Execution time each finalize costs in Dataverse (plug-ins creating registrations and passes). INFERRED, configurable. */
const COST_MS = 2000;
const FIRE_RATE = 500;
/** Figure 6's largest instance count (beside 1). */
const INSTANCES = 3;

interface Plan {
  purchases: number;
  inlinePurchases: number;
  scaleKit: number;
  scaleNaive: number;
  threeUserPurchases: number;
  scaleThreeUsers: number;
  /** Figure 3t's purchases with 1 user (with 3 users, threeUserPurchases). */
  takenPurchases: number;
  crashPurchases: number;
  scaleCrash: number;
  kills: number;
  tracingPurchases: number;
  tablePurchases: number;
  postgres: boolean;
  /**
   * BURST_SHARED_USERS=1: figure 6 also with every instance holding all 3 users, and its crash loop
   * with the 3 instances sharing one user (their throttling holds shared through the store).
   */
  sharedUsers: boolean;
  /** Dataverse ms a request sent during a hold adds to it (INFERRED; BURST_HOLD_EXTENSION_MS). */
  holdExtensionMs: number;
}

function wholeFromEnv(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number): number {
  const value = Number(env[key] ?? fallback);
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${key} must be a whole number of at least ${min}; got "${env[key]}"`);
  return value;
}

function planFromEnv(env: NodeJS.ProcessEnv): Plan {
  const quick = env.BURST_QUICK === "1" || env.BENCH_QUICK === "1";
  return {
    purchases: wholeFromEnv(env, "BURST_PURCHASES", quick ? 600 : 3000, 50),
    inlinePurchases: quick ? 500 : 1000,
    scaleKit: 10,
    scaleNaive: 40,
    threeUserPurchases: quick ? 600 : 1200,
    scaleThreeUsers: 4,
    takenPurchases: quick ? 300 : 1000,
    crashPurchases: quick ? 200 : 600,
    scaleCrash: 20,
    kills: 5,
    tracingPurchases: quick ? 300 : 1000,
    tablePurchases: quick ? 200 : 1000,
    postgres: env.BURST_POSTGRES !== "0",
    sharedUsers: env.BURST_SHARED_USERS === "1",
    holdExtensionMs: wholeFromEnv(env, "BURST_HOLD_EXTENSION_MS", defaultLimits.holdExtensionMs, 0),
  };
}

/** What a figure gets: the world, the plan, where to print, and what earlier figures measured. */
interface BurstContext {
  plan: Plan;
  world: BurstWorld;
  clock: ScaledClock;
  dir: string;
  out: (line: string) => void;
  results: {
    kit?: KitBurstResult;
    inline?: FireResult;
    naive?: { result: NaiveResult; minutes: number; perMinute: number; heldRefusals: number };
    kitHeldRefusals?: number;
    three?: KitBurstResult;
    crash?: CrashLoopResult;
    postgres?: PostgresOutcome;
  };
}

interface Figure {
  /** What BURST_FIGURES names it by. */
  id: string;
  title: string;
  /** Figures whose results this one reads: they run first even when not asked for. */
  needs?: string[];
  run(ctx: BurstContext): Promise<void>;
}

const progress = (line: string) => process.stderr.write(`bench burst: ${line}\n`);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const ok = verdict;

/** Finalizes per Dataverse minute the limits allow for `users` users at `COST_MS` per finalize. */
function ceilingPerMinute(users: number): number {
  const perWindow = Math.min(defaultLimits.requestsPerWindow, defaultLimits.executionMsPerWindow / COST_MS);
  return (users * perWindow * 60_000) / defaultLimits.windowMs;
}

function ingestLine(label: string, r: FireResult): string {
  const p50 = percentile(r.latenciesMs, 50);
  const p99 = percentile(r.latenciesMs, 99);
  const statuses = Object.entries(r.statuses)
    .map(([k, v]) => `${k}:${v}`)
    .join(" ");
  return `  ${label.padEnd(34)} ${fmt(r.sent / r.seconds, 0).padStart(5)} acks/s  p50 ${fmt(p50).padStart(7)} ms  p99 ${fmt(p99).padStart(7)} ms  (${statuses})`;
}

function duplicatesOf(r: KitBurstResult): number {
  return Math.max(0, r.finalizeSucceeded - r.dataverse.processed) + r.dataverse.doubled;
}

function throughput(r: KitBurstResult, users: number): { perMinute: number; fraction: number } {
  const perMinute = r.dataverse.processed / (r.clockMs / 60_000);
  return { perMinute, fraction: perMinute / ceilingPerMinute(users) };
}

function kitLines(r: KitBurstResult, purchases: number, users: number): string[] {
  const { perMinute, fraction } = throughput(r, users);
  const slackMin = r.store.minSlackMs === null ? Number.NaN : r.store.minSlackMs / 60_000;
  return [
    `  finalized ${r.dataverse.processed}/${purchases} in ${fmt(r.clockMs / 60_000)} Dataverse min: ${fmt(perMinute)}/min = ${fmt(fraction * 100)}% of the ceiling (${fmt(ceilingPerMinute(users))}/min)`,
    `  429s ${r.throttled}, finalize requests ${r.finalizeRequests} (retries ${r.finalizeRequests - r.dataverse.processed}; Dataverse requests of any kind ${r.dataverseRequests}), registrations ${r.dataverse.registrations}, duplicates ${duplicatesOf(r)}, refunds ${r.refunds}, dead letters ${r.store.deadLetters}`,
    `  tightest finalize: ${fmt(slackMin)} min before its deadline (guard at 3 min before)`,
  ];
}

const heldRefusals = (world: BurstWorld) => world.dataverse.state.stats.throttled.whileHeld;

/**
 * The inline receiver (finalize inside the request) at the same rate: figure 1's baseline. Warmed up
 * as the kit is, with the first WARM_UP_PER_INSTANCE of `events`.
 */
async function runInlineBaseline(
  ctx: BurstContext,
  events: string[],
): Promise<{ burst: FireResult; warmUp: FireResult }> {
  const { world, clock, plan, dir } = ctx;
  world.setTimeScale(plan.scaleKit);
  world.liftLimits();
  const inline = await spawnEndpoint(
    world.endpointEnv({ users: 1, storePath: join(dir, "inline.sqlite") }),
    join(dir, "inline.log"),
  );
  try {
    const url = `${inline.url}/v1/webhooks/stripe`;
    const headersFor = (body: string) => signedHeaders(world, body);
    progress(`inline baseline: warm-up, ${WARM_UP_PER_INSTANCE} webhooks at a gentle rate, limits off`);
    const warmUp = await fireWarmUp([url], events.slice(0, WARM_UP_PER_INSTANCE), headersFor);
    inline.setClock(clock.setScale(plan.scaleKit));
    await world.startAtCeiling({ costMs: COST_MS, users: 1 });
    const measured = events.slice(WARM_UP_PER_INSTANCE);
    progress(`inline baseline: firing ${measured.length} webhooks at ${FIRE_RATE}/s`);
    const burst = await fireWebhooks({
      url,
      bodies: measured,
      ratePerSecond: FIRE_RATE,
      headersFor,
      timeoutMs: 10_000,
    });
    return { burst, warmUp };
  } finally {
    await inline.kill();
    clock.setScale(1);
  }
}

const ingestFigure: Figure = {
  id: "1",
  title: "1. Webhook ingest",
  async run(ctx) {
    const { plan, world, out, dir } = ctx;
    const heldBefore = heldRefusals(world);
    const kit = await runKitBurst(world, {
      label: "kit-1-user",
      purchases: plan.purchases,
      extra: plan.inlinePurchases + WARM_UP_PER_INSTANCE,
      users: 1,
      timeScale: plan.scaleKit,
      costMs: COST_MS,
      fireRate: FIRE_RATE,
      dir,
      settleTimeoutMs: 15 * 60_000,
      progress,
    });
    ctx.results.kit = kit;
    ctx.results.kitHeldRefusals = heldRefusals(world) - heldBefore;
    const { burst: inline, warmUp: inlineWarmUp } = await runInlineBaseline(ctx, kit.extraEvents);
    ctx.results.inline = inline;
    out(
      `\n1. Webhook ingest: ${plan.purchases} signed checkout.session.completed fired at ${FIRE_RATE}/s (open loop) while the worker finalizes, after a warm-up of ${WARM_UP_PER_INSTANCE} at ${WARM_UP_RATE}/s (each process's first webhooks: the cold lines)`,
    );
    out(ingestLine("kit (store + outbox, 200 after commit)", kit.ingest));
    out(ingestLine("baseline (finalize inside request)", inline));
    out(ingestLine("kit, cold (its warm-up)", kit.warmUp));
    out(ingestLine("baseline, cold (its warm-up)", inlineWarmUp));
    const disk = probeDurableCommits(dir);
    out(
      `  for scale, this disk now: ${fmt(disk.perSecond, 0)} durable SQLite commits/s, one commit p50 ${fmt(disk.p50Ms)} ms p99 ${fmt(disk.p99Ms)} ms`,
    );
    const kitP99 = percentile(kit.ingest.latenciesMs, 99);
    const inlineP99 = percentile(inline.latenciesMs, 99);
    out(
      `  p99 ratio baseline/kit: ${fmt(inlineP99 / kitP99)}x (target >= 10x) ${ok(inlineP99 / kitP99 >= 10)}; kit p99 ${fmt(kitP99)} ms (target < 50 ms) ${ok(kitP99 < 50)}; timeouts (10 s) count as 10 s`,
    );
  },
};

const ingestFloorFigure: Figure = {
  id: "1b",
  title: "1b. Ingest against its floor",
  async run(ctx) {
    ctx.out(`  ingest alone against its floor (burst/ingest-floor.ts):`);
    for (const line of ingestFloorLines(
      await runIngestFloor({ ...ingestFloorPlan(), dir: ctx.dir, progress }),
    ))
      ctx.out(line);
  },
};

/** The naive finalizer: 16 in flight, Retry-After ignored, on the same limits as the kit's run. */
async function runNaiveBaseline(ctx: BurstContext): Promise<NonNullable<BurstContext["results"]["naive"]>> {
  const { world, clock, plan } = ctx;
  world.setTimeScale(plan.scaleNaive);
  world.liftLimits();
  const naiveIds = registerPurchases(world, plan.purchases);
  const guardOf = (id: string) => Date.parse(world.dataverse.state.purchase(id).createdOn) + 47 * 60_000;
  const naivePurchases = naiveIds.map((purchaseId) => ({ purchaseId, guardAt: guardOf(purchaseId) }));
  clock.setScale(plan.scaleNaive);
  await world.startAtCeiling({ costMs: COST_MS, users: 1 });
  world.tally.reset();
  const heldBefore = heldRefusals(world);
  const naiveStart = clock.now();
  progress(
    `naive baseline: ${plan.purchases} finalizes, 16 in flight, no Retry-After, clock x${plan.scaleNaive}`,
  );
  const result = await finalizeNaively({
    clock,
    url: world.dataverse.url,
    token: await world.token(0),
    readableEventId: world.seed.paidEvent.readableEventId,
    purchases: naivePurchases,
    concurrency: 16,
  });
  const minutes = (world.tally.lastSuccessAt - naiveStart) / 60_000;
  clock.setScale(1);
  return {
    result,
    minutes,
    perMinute: result.finalized / minutes,
    heldRefusals: heldRefusals(world) - heldBefore,
  };
}

const ceilingFigure: Figure = {
  id: "2",
  title: "2. Finalize at the service-protection ceiling",
  needs: ["1"],
  async run(ctx) {
    const { plan, out } = ctx;
    const kit = ctx.results.kit!;
    const naive = await runNaiveBaseline(ctx);
    ctx.results.naive = naive;
    const k = throughput(kit, 1);
    const naiveFraction = naive.perMinute / ceilingPerMinute(1);
    out(
      `\n2. Finalize at the service-protection ceiling: ${plan.purchases} paid purchases in a burst, 1 application user, Dataverse time x${plan.scaleKit} (naive x${plan.scaleNaive})`,
    );
    out(
      `  ceiling: ${fmt(ceilingPerMinute(1))} finalizes per Dataverse minute per user (execution-time limit / ${COST_MS} ms); a user throttled is held until its Retry-After ends, each request sent meanwhile adds ${plan.holdExtensionMs} ms (INFERRED amount)`,
    );
    out("  kit (Retry-After, deadline-bounded retries):");
    for (const line of kitLines(kit, plan.purchases, 1)) out(`  ${line}`);
    out(
      `    requests refused while held (sent before a Retry-After ended): ${ctx.results.kitHeldRefusals ?? 0}`,
    );
    out("  baseline (16 in flight, backoff 1-30 s, Retry-After ignored):");
    out(
      `    finalized ${naive.result.finalized}/${plan.purchases} in ${fmt(naive.minutes)} Dataverse min: ${fmt(naive.perMinute)}/min = ${fmt(naiveFraction * 100)}% of the ceiling`,
    );
    out(
      `    429s ${naive.result.throttled} (${naive.heldRefusals} of them while held), requests ${naive.result.requests}, given up at the guard (refunds) ${naive.result.gaveUp}`,
    );
    const allInTime = kit.dataverse.processed === plan.purchases && (kit.store.minSlackMs ?? -1) > 0;
    out(
      `  what the kit saves: ${fmt((k.fraction - naiveFraction) * 100)} points of the ceiling (${fmt(k.perMinute - naive.perMinute)} finalizes per Dataverse minute, ${naive.result.gaveUp} refunds), kit/baseline throughput ${fmt(k.perMinute / naive.perMinute, 2)}x, 429s ${kit.throttled} vs ${naive.result.throttled}`,
    );
    out(
      `  target >= 95% of the ceiling ${ok(k.fraction >= 0.95)}, all before deadline ${ok(allInTime)}, zero duplicates ${ok(duplicatesOf(kit) === 0)}, zero refunds ${ok(kit.refunds === 0)}`,
    );
  },
};

const usersFigure: Figure = {
  id: "3",
  title: "3. Several application users",
  needs: ["1"],
  async run(ctx) {
    const { plan, world, out, dir } = ctx;
    const three = await runKitBurst(world, {
      label: "kit-3-users",
      purchases: plan.threeUserPurchases,
      users: 3,
      timeScale: plan.scaleThreeUsers,
      costMs: COST_MS,
      fireRate: FIRE_RATE,
      dir,
      settleTimeoutMs: 15 * 60_000,
      progress,
    });
    ctx.results.three = three;
    out(
      `\n3. Several application users: ${plan.threeUserPurchases} purchases over 3 users (Dataverse time x${plan.scaleThreeUsers}) against the 1-user run of 2`,
    );
    for (const line of kitLines(three, plan.threeUserPurchases, 3)) out(line);
    const ratio = throughput(three, 3).perMinute / throughput(ctx.results.kit!, 1).perMinute;
    out(`  throughput 3 users / 1 user: ${fmt(ratio, 2)}x (target close to 3x)`);
  },
};

/** Figure 3t's jitter: each finalize takes 50-150 % of COST_MS (INFERRED; Dataverse does not publish its spread). */
const TAKEN_JITTER = 0.5;

const takenTimeFigure: Figure = {
  id: "3t",
  title: "3t. Figures 2 and 3 when Dataverse takes the time it charges",
  async run(ctx) {
    const { plan, world, out, dir } = ctx;
    const busyAtCeiling = defaultLimits.executionMsPerWindow / defaultLimits.windowMs;
    out(
      `\n3t. Figures 2 and 3 when Dataverse takes the time it charges: each finalize answered only after its execution time (${COST_MS} ms ±${TAKEN_JITTER * 100}%, an INFERRED spread), so a user's execution-time limit is reached only with ${fmt(busyAtCeiling, 0)} calls in flight at all times, the Dataverse client's cap per user; worker concurrency unset (the kit's default)`,
    );
    const runs = [
      {
        users: 1,
        purchases: plan.takenPurchases,
        timeScale: plan.scaleKit,
        base: ctx.results.kit,
        figure: 2,
      },
      {
        users: 3,
        purchases: plan.threeUserPurchases,
        timeScale: plan.scaleThreeUsers,
        base: ctx.results.three,
        figure: 3,
      },
    ];
    for (const { users, purchases, timeScale, base, figure } of runs) {
      const run = await runKitBurst(world, {
        label: `kit-taken-${users}`,
        purchases,
        users,
        timeScale,
        costMs: COST_MS,
        fireRate: FIRE_RATE,
        dir,
        settleTimeoutMs: 15 * 60_000,
        progress,
        takesTime: { jitter: TAKEN_JITTER },
      });
      out(`  ${purchases} purchases, ${users} user(s), Dataverse time x${timeScale}:`);
      for (const line of kitLines(run, purchases, users)) out(`  ${line}`);
      out(
        base
          ? `    baseline (figure ${figure}'s kit: the same limits, the time charged but answered at once): ${fmt(throughput(base, users).fraction * 100)}% of the ceiling`
          : `    baseline: figure ${figure} not run (see BURST_FIGURES)`,
      );
      const allInTime = run.dataverse.processed === purchases && (run.store.minSlackMs ?? -1) > 0;
      out(
        `    target >= 95% of the ceiling ${ok(throughput(run, users).fraction >= 0.95)}, all before deadline ${ok(allInTime)}, zero duplicates ${ok(duplicatesOf(run) === 0)}, zero refunds ${ok(run.refunds === 0)}`,
      );
    }
  },
};

const crashFigure: Figure = {
  id: "4",
  title: "4. Crash during the burst",
  async run(ctx) {
    const { plan, world, out, dir } = ctx;
    const crash = await runCrashLoop(world, {
      purchases: plan.crashPurchases,
      kills: plan.kills,
      dir,
      settleTimeoutMs: 5 * 60_000,
      ceiling: { timeScale: plan.scaleCrash, costMs: COST_MS },
      progress,
    });
    ctx.results.crash = crash;
    out(
      `\n4. Crash during the burst: ${crash.purchases} paid purchases at the ceiling (x${plan.scaleCrash}), endpoint process SIGKILLed ${crash.kills} times at random moments (0.3-2 s after each start) and restarted`,
    );
    out(
      `  finalized once ${crash.dataverse.processed}, refunded ${crash.refunds}, lost ${crash.lost}, doubled ${crash.doubled}, dead letters ${crash.store.deadLetters} ${ok(crash.lost === 0 && crash.doubled === 0)}`,
    );
  },
};

/** Issue 22's target for the endpoint's peak RSS through the burst. */
const PEAK_RSS_TARGET_MIB = 150;

const memoryFigure: Figure = {
  id: "5",
  title: "5. Peak RSS",
  run(ctx) {
    const { kit, three } = ctx.results;
    const { plan } = ctx;
    ctx.out("\n5. Peak RSS of the endpoint process (VmHWM)");
    const runs = [
      { label: `during 1+2 (1 user, ${plan.purchases} purchases)`, run: kit, figure: "1" },
      { label: `during 3 (3 users, ${plan.threeUserPurchases} purchases)`, run: three, figure: "3" },
    ];
    for (const { label, run, figure } of runs) {
      const peak = run?.peakRssMiB;
      if (!run) ctx.out(`  ${label}: not measured (figure ${figure} not run, see BURST_FIGURES)`);
      else if (peak === null || peak === undefined) ctx.out(`  ${label}: n/a (no /proc on this system)`);
      else
        ctx.out(
          `  ${label}: ${fmt(peak)} MiB (target < ${PEAK_RSS_TARGET_MIB} MiB) ${ok(peak < PEAK_RSS_TARGET_MIB)}`,
        );
    }
    return Promise.resolve();
  },
};

/** One row of a side-by-side table: a label, then one cell per column. */
function row(label: string, cells: readonly string[]): string {
  return `  ${label.padEnd(40)}${cells.map((c) => c.padStart(19)).join("")}`;
}

/** The columns of figure 6: SQLite (figure 3's run) and PostgreSQL with each instance count. */
function scaleColumns(three: KitBurstResult | undefined, pg: Extract<PostgresOutcome, { skipped: null }>) {
  return [
    ...(three ? [{ name: "SQLite, 1", run: three }] : []),
    ...pg.byInstances.map(({ instances, userPerInstance, run }) => ({
      name: `PostgreSQL, ${instances}${userPerInstance ? " own" : ""}`,
      run,
    })),
  ];
}

function scaleTable(ctx: BurstContext, pg: Extract<PostgresOutcome, { skipped: null }>): void {
  const columns = scaleColumns(ctx.results.three, pg);
  const cells = (f: (r: KitBurstResult) => string) => columns.map((c) => f(c.run));
  const { out } = ctx;
  out(
    row(
      "store, instances",
      columns.map((c) => c.name),
    ),
  );
  out(
    row(
      "ingest acks/s",
      cells((r) => fmt(r.ingest.sent / r.ingest.seconds, 0)),
    ),
  );
  out(
    row(
      "ingest p50 ms",
      cells((r) => fmt(percentile(r.ingest.latenciesMs, 50))),
    ),
  );
  out(
    row(
      "ingest p99 ms",
      cells((r) => fmt(percentile(r.ingest.latenciesMs, 99))),
    ),
  );
  out(
    row(
      "cold p99 ms (warm-up, first acks)",
      cells((r) => fmt(percentile(r.warmUp.latenciesMs, 99))),
    ),
  );
  out(
    row(
      "CPU per ack, endpoints ms",
      cells((r) => fmt(cpuPerAck(r).endpoints, 2)),
    ),
  );
  out(
    row(
      "CPU per ack, database server ms",
      cells((r) => fmt(cpuPerAck(r).server, 2)),
    ),
  );
  out(
    row(
      "finalized per Dataverse min",
      cells((r) => fmt(throughput(r, 3).perMinute)),
    ),
  );
  out(
    row(
      "% of 3 users' ceiling",
      cells((r) => `${fmt(throughput(r, 3).fraction * 100)}%`),
    ),
  );
  out(
    row(
      "429s (sent during a hold)",
      cells((r) => `${r.throttled} (${r.heldRefusals})`),
    ),
  );
  out(
    row(
      "duplicates / refunds",
      cells((r) => `${duplicatesOf(r)} / ${r.refunds}`),
    ),
  );
  out(
    row(
      "peak RSS per instance MiB",
      cells((r) => fmt(r.peakRssMiB ?? Number.NaN)),
    ),
  );
}

const postgresFigure: Figure = {
  id: "6",
  title: "6. PostgreSQL with 1 and 3 instances",
  needs: ["3"],
  async run(ctx) {
    const { plan, world, out, dir } = ctx;
    const n = INSTANCES;
    out(
      `\n6. PostgreSQL store (throwaway cluster, fsync on), 1 and ${n} endpoint instances on one database: ${plan.threeUserPurchases} purchases over 3 users at the ceiling (x${plan.scaleThreeUsers}), webhooks at ${FIRE_RATE}/s dealt out to the instances in turn; 1 instance holds all 3 users, with ${n} each holds its own ("own"; all 3 in each too, and one shared user in the crash loop, with BURST_SHARED_USERS=1); SQLite column = the run of 3`,
    );
    if (!plan.postgres) {
      out("  skipped (BURST_POSTGRES=0)");
      return;
    }
    const pg = await runPostgresFigures(
      world,
      {
        purchases: plan.threeUserPurchases,
        layouts: [
          { instances: 1, userPerInstance: false },
          { instances: n, userPerInstance: true },
          ...(plan.sharedUsers ? [{ instances: n, userPerInstance: false }] : []),
        ],
        users: 3,
        timeScale: plan.scaleThreeUsers,
        costMs: COST_MS,
        fireRate: FIRE_RATE,
        settleTimeoutMs: 15 * 60_000,
        poolSize: 10,
        crash: {
          purchases: plan.crashPurchases,
          instances: n,
          kills: plan.kills,
          timeScale: plan.scaleCrash,
          costMs: COST_MS,
          settleTimeoutMs: 5 * 60_000,
          userPerInstance: !plan.sharedUsers,
        },
      },
      { dir, progress },
    );
    ctx.results.postgres = pg;
    if (pg.skipped !== null) {
      out(`  ${pg.skipped}`);
      return;
    }
    scaleTable(ctx, pg);
    postgresVerdicts(ctx, pg, n);
  },
};

function postgresVerdicts(
  ctx: BurstContext,
  pg: Extract<PostgresOutcome, { skipped: null }>,
  n: number,
): void {
  const { out, plan } = ctx;
  for (const { instances, userPerInstance, run } of pg.byInstances) {
    if (instances !== n) continue;
    const fraction = throughput(run, 3).fraction;
    const layout = userPerInstance
      ? "each instance holding its own user"
      : "every instance holding all 3 users";
    out(
      `  ceiling with ${n} instances and 3 users, ${layout}: ${fmt(fraction * 100)}% of 3x one user's ceiling (target >= 90%) ${ok(fraction >= 0.9)}; all ${plan.threeUserPurchases} finalized ${ok(run.dataverse.processed === plan.threeUserPurchases)}, zero duplicates ${ok(duplicatesOf(run) === 0)}, zero refunds ${ok(run.refunds === 0)}`,
    );
  }
  for (const { instances, userPerInstance, run } of pg.byInstances) {
    const p99 = percentile(run.ingest.latenciesMs, 99);
    out(
      `  ingest p99 with ${instances} instance(s)${userPerInstance ? ", own user" : ""}: ${fmt(p99)} ms (target < 50 ms, as figure 1) ${ok(p99 < 50)}`,
    );
  }
  const c = pg.crash;
  out(
    `  crash loop: ${c.purchases} paid purchases at the ceiling (x${plan.scaleCrash}), ${n} instances (${plan.sharedUsers ? "all sharing application user 1" : "each with its own application user"}) behind a round-robin balancer, ${c.kills} SIGKILLs of a random instance: finalized once ${c.dataverse.processed}, refunded ${c.refunds}, lost ${c.lost}, doubled ${c.doubled}, dead letters ${c.store.deadLetters}, requests sent during a hold ${c.heldRefusals} ${ok(c.lost === 0 && c.doubled === 0)}`,
  );
}

const cpuFigure: Figure = {
  id: "7",
  title: "7. CPU per acknowledged webhook",
  run(ctx) {
    const { out } = ctx;
    const { kit, three, postgres } = ctx.results;
    out(
      "\n7. CPU per acknowledged webhook during ingest (user + system time of the endpoint processes, and of PostgreSQL's server processes, while the webhooks were fired, worker included), by store",
    );
    const line = (label: string, r: KitBurstResult | undefined) => {
      if (!r) return;
      const c = cpuPerAck(r);
      out(
        `  ${label.padEnd(44)} ${fmt(c.endpoints, 2)} ms endpoint + ${fmt(c.server, 2)} ms server = ${fmt(c.total, 2)} ms`,
      );
    };
    line("SQLite, 1 instance (figure 1)", kit);
    line("SQLite, 1 instance (figure 3)", three);
    if (postgres && postgres.skipped === null) {
      for (const { instances, userPerInstance, run } of postgres.byInstances)
        line(`PostgreSQL, ${instances} instance(s)${userPerInstance ? ", own user" : ""} (figure 6)`, run);
      const base = three ? cpuPerAck(three).total : Number.NaN;
      const last = postgres.byInstances.at(-1)!;
      out(
        `  PostgreSQL/SQLite with the same workload (baseline: SQLite, figure 3): ${fmt(cpuPerAck(last.run).total / base, 2)}x at ${last.instances} instances (no target: reported for sizing)`,
      );
    } else out(`  PostgreSQL: ${postgres?.skipped ?? "not measured"}`);
    return Promise.resolve();
  },
};

/** The report, in order. Another figure: one more entry (it may read ctx.results of those before it). */
const tracingFigure: Figure = {
  id: "8",
  title: "8. Tracing off and on",
  async run(ctx) {
    const tracing = await runTracingCost(ctx.world, {
      purchases: ctx.plan.tracingPurchases,
      fireRate: FIRE_RATE,
      dir: ctx.dir,
      progress,
    });
    for (const line of tracingCostLines(tracing, FIRE_RATE)) ctx.out(line);
  },
};

const paymentsTableFigure: Figure = {
  id: "9",
  title: "9. The payments table off and on",
  async run(ctx) {
    const { plan } = ctx;
    const lines = await runPaymentsTableFigure(ctx.world, {
      purchases: plan.tablePurchases,
      timeScale: plan.scaleKit,
      costMs: COST_MS,
      fireRate: FIRE_RATE,
      dir: ctx.dir,
      ceilingPerMinute: ceilingPerMinute(1),
      progress,
    });
    for (const line of lines) ctx.out(line);
  },
};

const figures: Figure[] = [
  ingestFigure,
  ingestFloorFigure,
  ceilingFigure,
  usersFigure,
  takenTimeFigure,
  crashFigure,
  memoryFigure,
  postgresFigure,
  cpuFigure,
  tracingFigure,
  paymentsTableFigure,
];

export async function run(): Promise<void> {
  const plan = planFromEnv(process.env);
  const selected = selectFigures(figures, process.env.BURST_FIGURES, progress);
  const dir = mkdtempSync(join(tmpdir(), "bench-burst-"));
  const clock = createScaledClock();
  const capacity =
    plan.purchases * 2 +
    plan.inlinePurchases +
    plan.threeUserPurchases * 4 +
    plan.takenPurchases +
    plan.crashPurchases * 2 +
    2 * plan.tracingPurchases +
    4 * plan.tablePurchases +
    // Warm-ups: every kit run's instances and the inline baseline (13 endpoint starts in a full run,
    // 16 with BURST_SHARED_USERS=1).
    20 * WARM_UP_PER_INSTANCE +
    100;
  const world = await startBurstWorld({
    clock,
    timeScale: plan.scaleKit,
    dir,
    passCapacity: capacity,
    holdExtensionMs: plan.holdExtensionMs,
  });
  const ctx: BurstContext = {
    plan,
    world,
    clock,
    dir,
    out: (line) => process.stdout.write(`${line}\n`),
    results: {},
  };
  try {
    ctx.out(
      `Dataverse limits per user: ${defaultLimits.requestsPerWindow} requests, ${defaultLimits.executionMsPerWindow / 60_000} min execution, ${defaultLimits.concurrentRequests} concurrent per ${defaultLimits.windowMs / 60_000} min; each finalize charged ${COST_MS} ms execution; windows full when the burst starts`,
    );
    for (const figure of selected) {
      progress(`figure ${figure.title}`);
      await figure.run(ctx);
    }
  } finally {
    await world.close();
    if (process.env.BURST_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
    else progress(`files kept in ${dir}`);
  }
}
