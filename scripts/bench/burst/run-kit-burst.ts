// One measured burst through the kit: one or more endpoint processes on one store (a SQLite file,
// or a PostgreSQL database shared by every instance), N purchases checked out and paid (setup, in
// real time, limits off), then the clock sped up, every application user's window filled to the
// ceiling, the N signed checkout.session.completed webhooks fired at a fixed rate (dealt out to the
// instances in turn), and the workers left to finalize them. Before the burst, a warm-up: a few
// webhooks per instance fired gently and finalized (warm-up.ts). Also prepares `extra` paid
// purchases whose events are not fired (the ingest baseline uses them).

import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchStore } from "./bench-store";
import { sqliteBenchStore } from "./bench-store";
import type { FireResult } from "./fire-webhooks";
import { fireWebhooks } from "./fire-webhooks";
import type { DataverseView, StoreView } from "./outcomes";
import { countRefunds, readDataverse, waitForSettled } from "./outcomes";
import { checkoutAndPay, completedEvents, registerPurchases, signedHeaders } from "./purchases";
import type { PaidPurchase } from "./purchases";
import type { EndpointProcess } from "./spawn-endpoint";
import { spawnEndpoint } from "./spawn-endpoint";
import type { BurstWorld } from "./stand-ins";
import { fireWarmUp, WARM_UP_PER_INSTANCE } from "./warm-up";

export interface KitBurstOptions {
  label: string;
  purchases: number;
  extra?: number;
  users: number;
  timeScale: number;
  costMs: number;
  fireRate: number;
  dir: string;
  settleTimeoutMs: number;
  progress: (line: string) => void;
  /** Runs once every purchase is settled, before the endpoint process stops (e.g. to wait for background work). */
  afterSettled?: (burstPurchaseIds: readonly string[]) => Promise<void>;
  /** Where the endpoints keep their state (default: a SQLite file in `dir`). */
  store?: BenchStore;
  /** Endpoint processes on that store (default 1; more needs a PostgreSQL store). */
  instances?: number;
  /** Instance i holds application user i only (needs instances = users), instead of every instance holding all `users`. */
  userPerInstance?: boolean;
  /** Dataverse takes each finalize's cost in time before answering (see BurstWorld.startAtCeiling). */
  takesTime?: { jitter: number };
}

export interface KitBurstResult {
  ingest: FireResult;
  /** The warm-up's webhooks (the endpoints' first after their start, at a gentle rate). */
  warmUp: FireResult;
  /** CPU ms the endpoint processes (summed) and the database server used from the first webhook sent to the last answer. */
  ingestCpuMs: { endpoints: number | null; server: number };
  /** Clock ms from the first webhook sent to the last successful finalize. */
  clockMs: number;
  store: StoreView;
  dataverse: DataverseView;
  finalizeRequests: number;
  /** Every Web API request the stand-in answered during the burst, finalize or not. */
  dataverseRequests: number;
  finalizeSucceeded: number;
  throttled: number;
  /** Of those 429s, the ones for requests that arrived while their user was held (any instance's). */
  heldRefusals: number;
  refunds: number;
  /** The highest peak RSS among the instances. */
  peakRssMiB: number | null;
  /** Signed bodies of the extra paid purchases (not fired). */
  extraEvents: string[];
}

/** BURST_ACK_TIMELINE: every ack of the run's warm-up and burst appended to a TSV file, to see when the slow ones came. */
function appendTimeline(path: string, label: string, phases: Record<string, FireResult>): void {
  if (!existsSync(path)) writeFileSync(path, "run\tphase\tinstance\tsent ms\tlatency ms\n");
  const rows = Object.entries(phases).flatMap(([phase, r]) =>
    r.timeline.map(
      (a) => `${label}\t${phase}\t${a.target}\t${a.sentMs.toFixed(1)}\t${a.latencyMs.toFixed(1)}\n`,
    ),
  );
  appendFileSync(path, rows.join(""));
}

function sumCpu(endpoints: readonly EndpointProcess[]): number | null {
  let total = 0;
  for (const e of endpoints) {
    const ms = e.cpuMs();
    if (ms === null) return null;
    total += ms;
  }
  return total;
}

/** Checkouts spread over the instances: any of them takes any call. */
async function checkoutOnAll(
  world: BurstWorld,
  endpoints: readonly EndpointProcess[],
  ids: readonly string[],
): Promise<PaidPurchase[]> {
  const shares = endpoints.map((endpoint, i) =>
    checkoutAndPay(
      world,
      endpoint.url,
      ids.filter((_, k) => k % endpoints.length === i),
    ),
  );
  const byId = new Map((await Promise.all(shares)).flat().map((p) => [p.purchaseId, p]));
  return ids.map((id) => byId.get(id)!);
}

export async function runKitBurst(world: BurstWorld, options: KitBurstOptions): Promise<KitBurstResult> {
  const { progress } = options;
  const bench = options.store ?? sqliteBenchStore(options.dir);
  const target = await bench.fresh(options.label);
  const instances = options.instances ?? 1;
  world.clock.setScale(1);
  world.setTimeScale(options.timeScale);
  world.liftLimits();
  const envOf = (i: number) => ({
    ...(options.userPerInstance
      ? world.endpointEnv({ users: 1, storePath: "", firstUser: i })
      : world.endpointEnv({ users: options.users, storePath: "" })),
    ...target.env,
  });
  const endpoints: EndpointProcess[] = [];
  try {
    for (let i = 0; i < instances; i++)
      endpoints.push(await spawnEndpoint(envOf(i), join(options.dir, `${options.label}-${i}.log`)));
    const warmCount = WARM_UP_PER_INSTANCE * instances;
    const extra = options.extra ?? 0;
    const total = options.purchases + extra + warmCount;
    progress(
      `${options.label}: registering and checking out ${total} purchases on ${instances} instance(s) (setup, real time, limits off)`,
    );
    const ids = registerPurchases(world, total);
    const paid = await checkoutOnAll(world, endpoints, ids);
    const measured = paid.slice(0, options.purchases);
    // In the order of `paid`: the burst's, the extra ones, the warm-up's.
    const allEvents = completedEvents(world, paid);
    const events = allEvents.slice(0, options.purchases);
    const extraEvents = allEvents.slice(options.purchases, options.purchases + extra);
    const urls = endpoints.map((e) => `${e.url}/v1/webhooks/stripe`);
    const headersFor = (body: string) => signedHeaders(world, body);

    progress(
      `${options.label}: warm-up, ${warmCount} webhooks at a gentle rate, finalized with the limits off`,
    );
    const warmUp = await fireWarmUp(urls, allEvents.slice(options.purchases + extra), headersFor);
    await waitForSettled(target.config, warmCount, options.settleTimeoutMs);

    const state = world.clock.setScale(options.timeScale);
    for (const endpoint of endpoints) endpoint.setClock(state);
    await world.startAtCeiling({
      costMs: options.costMs,
      users: options.users,
      takesTime: options.takesTime,
    });
    world.tally.reset();
    const heldBefore = world.dataverse.state.stats.throttled.whileHeld;
    const started = world.clock.now();
    progress(
      `${options.label}: firing ${events.length} webhooks at ${options.fireRate}/s; clock x${options.timeScale}, windows full`,
    );
    const cpuBefore = { endpoints: sumCpu(endpoints), server: bench.serverCpuMs() };
    const ingest = await fireWebhooks({
      url: urls,
      bodies: events,
      ratePerSecond: options.fireRate,
      headersFor,
      timeoutMs: 10_000,
    });
    const cpuAfter = sumCpu(endpoints);
    if (process.env.BURST_ACK_TIMELINE)
      appendTimeline(process.env.BURST_ACK_TIMELINE, options.label, { warmUp, ingest });
    const ingestCpuMs = {
      endpoints: cpuAfter === null || cpuBefore.endpoints === null ? null : cpuAfter - cpuBefore.endpoints,
      server: bench.serverCpuMs() - cpuBefore.server,
    };
    const seen = await waitForSettled(
      target.config,
      warmCount + options.purchases,
      options.settleTimeoutMs,
      (view) =>
        progress(
          `${options.label}: ${(view.states.finalized ?? warmCount) - warmCount}/${options.purchases} finalized, ${world.tally.throttled} x 429 so far`,
        ),
    );
    // The warm-up's purchases are settled and finalized; the view counts the burst's.
    const store = {
      ...seen,
      settled: seen.settled - warmCount,
      states: { ...seen.states, finalized: (seen.states.finalized ?? 0) - warmCount },
    };
    const measuredIds = measured.map((p) => p.purchaseId);
    await options.afterSettled?.(measuredIds);
    const rss = endpoints.map((e) => e.peakRssMiB()).filter((v): v is number => v !== null);
    return {
      ingest,
      warmUp,
      ingestCpuMs,
      clockMs: world.tally.lastSuccessAt - started,
      store,
      dataverse: readDataverse(world, measuredIds),
      finalizeRequests: world.tally.requests,
      dataverseRequests: world.tally.apiRequests,
      finalizeSucceeded: world.tally.succeeded,
      throttled: world.tally.throttled,
      heldRefusals: world.dataverse.state.stats.throttled.whileHeld - heldBefore,
      refunds: countRefunds(world, measuredIds),
      peakRssMiB: rss.length > 0 ? Math.max(...rss) : null,
      extraEvents,
    };
  } finally {
    await Promise.all(endpoints.map((e) => e.stop(5000)));
    world.clock.setScale(1);
  }
}
