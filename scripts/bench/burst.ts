// Benchmark: a ticket-drop burst against Dataverse's service-protection limits (issue 9). Six
// figures, each beside a baseline measured in the same run:
//  1. webhook ingest: signed webhooks fired at a fixed rate at the endpoint process, ack latency,
//     against a receiver that finalizes inside the request;
//  2. finalize at the ceiling: the Dataverse stand-in at the real limits, time-scaled, windows full
//     when the burst arrives; throughput as a fraction of what the limits allow, 429s, retries,
//     deadline slack, registrations, duplicates, refunds; against a fixed-concurrency client that
//     ignores Retry-After;
//  3. one application user against three;
//  4. SIGKILL of the endpoint process five times during a burst, restart, nothing lost or doubled;
//  5. peak RSS of the endpoint process during 1 and 2;
//  6. tracing off against on, the same burst twice (burst/tracing-cost.ts).
//  7. the Dataverse payments table off vs on at the ceiling (burst/payments-table-figure.ts).
// BURST_QUICK=1 (or BENCH_QUICK=1) runs smaller bursts; BURST_PURCHASES overrides the size of 2.
// Setup work (registrations, checkouts, payments) runs in real time with the limits off and is
// not measured. README "Benchmarks" says how to read every figure.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultLimits } from "../../sandbox/dataverse/service-protection";
import { runCrashLoop } from "./burst/crash-loop";
import { fireWebhooks, percentile } from "./burst/fire-webhooks";
import type { FireResult } from "./burst/fire-webhooks";
import { finalizeNaively } from "./burst/naive-finalizer";
import { probeDurableCommits } from "./burst/probe-disk";
import { registerPurchases, signedHeaders } from "./burst/purchases";
import { ingestFloorLines, ingestFloorPlan, runIngestFloor } from "./burst/ingest-floor";
import { runKitBurst } from "./burst/run-kit-burst";
import { runPaymentsTableFigure } from "./burst/payments-table-figure";
import type { KitBurstResult } from "./burst/run-kit-burst";
import { createScaledClock } from "./burst/scaled-clock";
import { spawnEndpoint } from "./burst/spawn-endpoint";
import { startBurstWorld } from "./burst/stand-ins";
import { runTracingCost, tracingCostLines } from "./burst/tracing-cost";

export const name = "burst";
export const describe =
  "ticket-drop burst at Dataverse's service-protection limits: ingest, ceiling, 1 vs 3 users, SIGKILL loop, RSS";

/** Execution time each finalize costs in Dataverse (plug-ins creating registrations and passes). INFERRED, configurable. */
const COST_MS = 2000;
const FIRE_RATE = 500;

interface Plan {
  purchases: number;
  inlinePurchases: number;
  scaleKit: number;
  scaleNaive: number;
  threeUserPurchases: number;
  scaleThreeUsers: number;
  crashPurchases: number;
  scaleCrash: number;
  kills: number;
  tracingPurchases: number;
  tablePurchases: number;
}

function planFromEnv(env: NodeJS.ProcessEnv): Plan {
  const quick = env.BURST_QUICK === "1" || env.BENCH_QUICK === "1";
  const purchases = Number(env.BURST_PURCHASES ?? (quick ? 600 : 3000));
  if (!Number.isInteger(purchases) || purchases < 50)
    throw new RangeError(
      `BURST_PURCHASES must be a whole number of at least 50; got "${env.BURST_PURCHASES}"`,
    );
  return {
    purchases,
    inlinePurchases: quick ? 500 : 1000,
    scaleKit: 10,
    scaleNaive: 40,
    threeUserPurchases: quick ? 600 : 1200,
    scaleThreeUsers: 4,
    crashPurchases: quick ? 200 : 600,
    scaleCrash: 20,
    kills: 5,
    tracingPurchases: quick ? 300 : 1000,
    tablePurchases: quick ? 200 : 1000,
  };
}

const progress = (line: string) => process.stderr.write(`bench burst: ${line}\n`);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const ok = (pass: boolean) => (pass ? "OK" : "MISSED");

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

function kitLines(
  r: KitBurstResult,
  purchases: number,
  users: number,
): { lines: string[]; perMinute: number; fraction: number } {
  const minutes = r.clockMs / 60_000;
  const perMinute = r.dataverse.processed / minutes;
  const fraction = perMinute / ceilingPerMinute(users);
  const slackMin = r.store.minSlackMs === null ? Number.NaN : r.store.minSlackMs / 60_000;
  const duplicates = Math.max(0, r.finalizeSucceeded - r.dataverse.processed) + r.dataverse.doubled;
  return {
    perMinute,
    fraction,
    lines: [
      `  finalized ${r.dataverse.processed}/${purchases} in ${fmt(minutes)} Dataverse min: ${fmt(perMinute)}/min = ${fmt(fraction * 100)}% of the ceiling (${fmt(ceilingPerMinute(users))}/min)`,
      `  429s ${r.throttled}, finalize requests ${r.finalizeRequests} (retries ${r.finalizeRequests - r.dataverse.processed}), registrations ${r.dataverse.registrations}, duplicates ${duplicates}, refunds ${r.refunds}, dead letters ${r.store.deadLetters}`,
      `  tightest finalize: ${fmt(slackMin)} min before its deadline (guard at 3 min before)`,
    ],
  };
}

/** The naive finalizer: 16 in flight, Retry-After ignored, on the same limits as the kit's run. */
async function runNaiveBaseline(
  world: Awaited<ReturnType<typeof startBurstWorld>>,
  clock: ReturnType<typeof createScaledClock>,
  plan: ReturnType<typeof planFromEnv>,
) {
  world.setTimeScale(plan.scaleNaive);
  world.liftLimits();
  const naiveIds = registerPurchases(world, plan.purchases);
  const guardOf = (id: string) => Date.parse(world.dataverse.state.purchase(id).createdOn) + 47 * 60_000;
  const naivePurchases = naiveIds.map((purchaseId) => ({ purchaseId, guardAt: guardOf(purchaseId) }));
  clock.setScale(plan.scaleNaive);
  await world.startAtCeiling({ costMs: COST_MS, users: 1 });
  world.tally.reset();
  const naiveStart = clock.now();
  progress(
    `naive baseline: ${plan.purchases} finalizes, 16 in flight, no Retry-After, clock x${plan.scaleNaive}`,
  );
  const naive = await finalizeNaively({
    clock,
    url: world.dataverse.url,
    token: await world.token(0),
    readableEventId: world.seed.paidEvent.readableEventId,
    purchases: naivePurchases,
    concurrency: 16,
  });
  const naiveMinutes = (world.tally.lastSuccessAt - naiveStart) / 60_000;
  clock.setScale(1);
  return { naive, naiveMinutes, naivePerMinute: naive.finalized / naiveMinutes };
}

export async function run(): Promise<void> {
  const plan = planFromEnv(process.env);
  const dir = mkdtempSync(join(tmpdir(), "bench-burst-"));
  const clock = createScaledClock();
  const capacity =
    plan.purchases +
    plan.inlinePurchases +
    plan.purchases +
    plan.threeUserPurchases +
    plan.crashPurchases +
    2 * plan.tracingPurchases +
    4 * plan.tablePurchases +
    100;
  const world = await startBurstWorld({ clock, timeScale: plan.scaleKit, dir, passCapacity: capacity });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    out(
      `Dataverse limits per user: ${defaultLimits.requestsPerWindow} requests, ${defaultLimits.executionMsPerWindow / 60_000} min execution, ${defaultLimits.concurrentRequests} concurrent per ${defaultLimits.windowMs / 60_000} min; each finalize charged ${COST_MS} ms execution; windows full when the burst starts`,
    );

    // 1 + 2 + 5: the kit, one application user.
    const kit = await runKitBurst(world, {
      label: "kit-1-user",
      purchases: plan.purchases,
      extra: plan.inlinePurchases,
      users: 1,
      timeScale: plan.scaleKit,
      costMs: COST_MS,
      fireRate: FIRE_RATE,
      dir,
      settleTimeoutMs: 15 * 60_000,
      progress,
    });

    // 1 baseline: a receiver that finalizes inside the request, same limits, same rate.
    world.setTimeScale(plan.scaleKit);
    world.liftLimits();
    const inline = await spawnEndpoint(
      world.endpointEnv({ users: 1, storePath: join(dir, "inline.sqlite") }),
      join(dir, "inline.log"),
    );
    let inlineIngest: FireResult;
    try {
      inline.setClock(clock.setScale(plan.scaleKit));
      await world.startAtCeiling({ costMs: COST_MS, users: 1 });
      progress(`inline baseline: firing ${kit.extraEvents.length} webhooks at ${FIRE_RATE}/s`);
      inlineIngest = await fireWebhooks({
        url: `${inline.url}/v1/webhooks/stripe`,
        bodies: kit.extraEvents,
        ratePerSecond: FIRE_RATE,
        headersFor: (body) => signedHeaders(world, body),
        timeoutMs: 10_000,
      });
    } finally {
      await inline.kill();
      clock.setScale(1);
    }

    out(
      `\n1. Webhook ingest: ${plan.purchases} signed checkout.session.completed fired at ${FIRE_RATE}/s (open loop) while the worker finalizes`,
    );
    out(ingestLine("kit (store + outbox, 200 after commit)", kit.ingest));
    out(ingestLine("baseline (finalize inside request)", inlineIngest));
    const disk = probeDurableCommits(dir);
    out(
      `  for scale, this disk now: ${fmt(disk.perSecond, 0)} durable SQLite commits/s, one commit p50 ${fmt(disk.p50Ms)} ms p99 ${fmt(disk.p99Ms)} ms`,
    );
    const kitP99 = percentile(kit.ingest.latenciesMs, 99);
    const inlineP99 = percentile(inlineIngest.latenciesMs, 99);
    out(
      `  p99 ratio baseline/kit: ${fmt(inlineP99 / kitP99)}x (target >= 10x) ${ok(inlineP99 / kitP99 >= 10)}; kit p99 ${fmt(kitP99)} ms (target < 50 ms) ${ok(kitP99 < 50)}; timeouts (10 s) count as 10 s`,
    );
    out(`  ingest alone against its floor (burst/ingest-floor.ts):`);
    for (const line of ingestFloorLines(await runIngestFloor({ ...ingestFloorPlan(), dir, progress })))
      out(line);

    // 2 baseline: fixed concurrency, no Retry-After, straight at Dataverse.
    const { naive, naiveMinutes, naivePerMinute } = await runNaiveBaseline(world, clock, plan);
    const k = kitLines(kit, plan.purchases, 1);
    out(
      `\n2. Finalize at the service-protection ceiling: ${plan.purchases} paid purchases in a burst, 1 application user, Dataverse time x${plan.scaleKit} (naive x${plan.scaleNaive})`,
    );
    out(
      `  ceiling: ${fmt(ceilingPerMinute(1))} finalizes per Dataverse minute per user (execution-time limit / ${COST_MS} ms)`,
    );
    out("  kit (Retry-After, deadline-bounded retries):");
    for (const line of k.lines) out(`  ${line}`);
    out("  baseline (16 in flight, backoff 1-30 s, Retry-After ignored):");
    out(
      `    finalized ${naive.finalized}/${plan.purchases} in ${fmt(naiveMinutes)} Dataverse min: ${fmt(naivePerMinute)}/min = ${fmt((naivePerMinute / ceilingPerMinute(1)) * 100)}% of the ceiling`,
    );
    out(
      `    429s ${naive.throttled}, requests ${naive.requests}, given up at the guard (refunds) ${naive.gaveUp}`,
    );
    const kitDuplicates =
      Math.max(0, kit.finalizeSucceeded - kit.dataverse.processed) + kit.dataverse.doubled;
    const allInTime = kit.dataverse.processed === plan.purchases && (kit.store.minSlackMs ?? -1) > 0;
    out(
      `  kit/baseline throughput ${fmt(k.perMinute / naivePerMinute, 2)}x, 429s ${kit.throttled} vs ${naive.throttled}; target >= 90% of the ceiling ${ok(k.fraction >= 0.9)}, all before deadline ${ok(allInTime)}, zero duplicates ${ok(kitDuplicates === 0)}, zero refunds ${ok(kit.refunds === 0)}`,
    );

    // 3: three application users.
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
    const t = kitLines(three, plan.threeUserPurchases, 3);
    out(
      `\n3. Several application users: ${plan.threeUserPurchases} purchases over 3 users (Dataverse time x${plan.scaleThreeUsers}) against the 1-user run of 2`,
    );
    for (const line of t.lines) out(line);
    out(`  throughput 3 users / 1 user: ${fmt(t.perMinute / k.perMinute, 2)}x (target close to 3x)`);

    // 4: SIGKILL loop.
    const crash = await runCrashLoop(world, {
      purchases: plan.crashPurchases,
      kills: plan.kills,
      dir,
      settleTimeoutMs: 5 * 60_000,
      ceiling: { timeScale: plan.scaleCrash, costMs: COST_MS },
      progress,
    });
    out(
      `\n4. Crash during the burst: ${crash.purchases} paid purchases at the ceiling (x${plan.scaleCrash}), endpoint process SIGKILLed ${crash.kills} times at random moments (0.3-2 s after each start) and restarted`,
    );
    out(
      `  finalized once ${crash.dataverse.processed}, refunded ${crash.refunds}, lost ${crash.lost}, doubled ${crash.doubled}, dead letters ${crash.store.deadLetters} ${ok(crash.lost === 0 && crash.doubled === 0)}`,
    );

    out("\n5. Peak RSS of the endpoint process (VmHWM)");
    out(
      `  during 1+2 (1 user, ${plan.purchases} purchases): ${fmt(kit.peakRssMiB ?? Number.NaN)} MiB; 3 users: ${fmt(three.peakRssMiB ?? Number.NaN)} MiB (target < 200 MB) ${ok((kit.peakRssMiB ?? 0) < 200 && (three.peakRssMiB ?? 0) < 200)}`,
    );

    // 6: tracing off and on.
    const tracing = await runTracingCost(world, {
      purchases: plan.tracingPurchases,
      fireRate: FIRE_RATE,
      dir,
      progress,
    });
    for (const line of tracingCostLines(tracing, FIRE_RATE)) out(line);

    // 7: the payments table off and on.
    const table = {
      purchases: plan.tablePurchases,
      timeScale: plan.scaleKit,
      costMs: COST_MS,
      fireRate: FIRE_RATE,
    };
    const ceiling = ceilingPerMinute(1);
    for (const line of await runPaymentsTableFigure(world, {
      ...table,
      dir,
      ceilingPerMinute: ceiling,
      progress,
    }))
      out(line);
  } finally {
    await world.close();
    if (process.env.BURST_KEEP !== "1") rmSync(dir, { recursive: true, force: true });
    else progress(`files kept in ${dir}`);
  }
}
