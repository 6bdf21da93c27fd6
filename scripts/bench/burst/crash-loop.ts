// Crash during the burst: the endpoint process is SIGKILLed at random moments while the Stripe
// stand-in delivers the webhooks of a burst of paid purchases (retrying while the endpoint is down),
// restarted on the same port and store each time, and at the end every purchase must be finalized
// exactly once in Dataverse or refunded at Stripe. With several instances (one PostgreSQL store),
// a round-robin balancer takes the deliveries and each kill picks an instance at random.

import { join } from "node:path";
import { freePort } from "../../../sandbox/postgres-cluster";
import type { BenchStore } from "./bench-store";
import { sqliteBenchStore } from "./bench-store";
import type { DataverseView, StoreView } from "./outcomes";
import { countRefunds, readDataverse, refundedPurchaseIds, waitForSettled } from "./outcomes";
import { checkoutAndPay, payAll, registerPurchases } from "./purchases";
import type { EndpointProcess } from "./spawn-endpoint";
import { spawnEndpoint } from "./spawn-endpoint";
import type { BurstWorld } from "./stand-ins";
import { startRoundRobinProxy } from "./round-robin-proxy";
import type { RoundRobinProxy } from "./round-robin-proxy";

export interface CrashLoopResult {
  purchases: number;
  kills: number;
  store: StoreView;
  dataverse: DataverseView;
  refunds: number;
  finalizeSucceeded: number;
  /** Requests the stand-in refused because their user was held (sent before a Retry-After ended). */
  heldRefusals: number;
  /** Purchases neither finalized in Dataverse nor refunded at Stripe. */
  lost: number;
  /** Successful finalize calls beyond one per finalized purchase, plus purchases both finalized and refunded. */
  doubled: number;
}

/** What Dataverse and the provider saw of each purchase: lost (neither), doubled (twice, or both). */
function judge(world: BurstWorld, ids: readonly string[]) {
  const dataverse = readDataverse(world, ids);
  let lost = 0;
  let both = 0;
  const refundedIds = new Set(refundedPurchaseIds(world));
  for (const id of ids) {
    const processed = world.dataverse.state.purchase(id).processed;
    if (!processed && !refundedIds.has(id)) lost++;
    if (processed && refundedIds.has(id)) both++;
  }
  return {
    dataverse,
    refunds: countRefunds(world, ids),
    finalizeSucceeded: world.tally.succeeded,
    lost,
    doubled: Math.max(0, world.tally.succeeded - dataverse.processed) + dataverse.doubled + both,
  };
}

export async function runCrashLoop(
  world: BurstWorld,
  options: {
    purchases: number;
    kills: number;
    dir: string;
    settleTimeoutMs: number;
    /** Run the burst at the ceiling (windows full, `costMs` per finalize) on a clock this much faster; default: real time, limits off. */
    ceiling?: { timeScale: number; costMs: number };
    /** Real ms between a (re)start and the next kill: [min, max). Default [300, 2000). */
    killAfterMs?: [number, number];
    random?: () => number;
    progress: (line: string) => void;
    /** Where the endpoints keep their state (default: a SQLite file in `dir`). */
    store?: BenchStore;
    /** Endpoint processes on that store (default 1; more needs a PostgreSQL store). */
    instances?: number;
    /** Run label: names the store and the log files (default "crash"). */
    label?: string;
    /**
     * With several instances: instance i holds application user i (default), or every instance
     * holds user 1 (false), sharing its throttling holds through the store.
     */
    userPerInstance?: boolean;
  },
): Promise<CrashLoopResult> {
  const random = options.random ?? Math.random;
  const label = options.label ?? "crash";
  const target = await (options.store ?? sqliteBenchStore(options.dir)).fresh(label);
  const count = options.instances ?? 1;
  const scale = options.ceiling?.timeScale ?? 1;
  world.clock.setScale(1);
  world.setTimeScale(scale);
  world.liftLimits();
  const ports = await Promise.all(Array.from({ length: count }, freePort));
  // The lease is in clock seconds: about 3 real seconds, so a killed process's jobs come back soon.
  // Several instances hold one application user each (the ceiling is one user's per instance), or
  // all share user 1 and wait out its holds together through the store (one user's ceiling in all).
  const ownUser = count > 1 && options.userPerInstance !== false;
  const users = ownUser ? count : 1;
  const envFor = (i: number) => ({
    ...world.endpointEnv(ownUser ? { users: 1, storePath: "", firstUser: i } : { users: 1, storePath: "" }),
    ...target.env,
    PORT: String(ports[i]),
    BURST_LEASE_SECONDS: String(3 * scale),
    BURST_RECONCILE_MS: "3000",
  });
  const start = (i: number) =>
    spawnEndpoint(envFor(i), join(options.dir, count === 1 ? `${label}.log` : `${label}-${i}.log`));
  const endpoints: EndpointProcess[] = [];
  for (let i = 0; i < count; i++) endpoints.push(await start(i));
  const proxy: RoundRobinProxy | null =
    count > 1 ? await startRoundRobinProxy(endpoints.map((e) => e.url)) : null;
  const front = proxy?.url ?? endpoints[0]!.url;
  const ids = registerPurchases(world, options.purchases);
  options.progress(`crash loop: checking out ${ids.length} purchases, then paying them with webhooks on`);
  try {
    const sessions = await checkoutAndPay(world, front, ids, { pay: false });
    if (options.ceiling) {
      const state = world.clock.setScale(scale);
      for (const endpoint of endpoints) endpoint.setClock(state);
      await world.startAtCeiling({ costMs: options.ceiling.costMs, users });
    }
    world.tally.reset();
    const heldBefore = world.dataverse.state.stats.throttled.whileHeld;
    if (world.adyen) world.adyen.attach(front);
    else world.provider.setWebhookUrl(`${front}/v1/webhooks/stripe`);
    payAll(world, sessions);
    for (let kill = 1; kill <= options.kills; kill++) {
      const [min, max] = options.killAfterMs ?? [300, 2000];
      await new Promise((r) => setTimeout(r, min + random() * (max - min)));
      const victim = Math.floor(random() * count);
      await endpoints[victim]!.kill();
      options.progress(
        `crash loop: SIGKILL ${kill}/${options.kills}${count > 1 ? ` (instance ${victim + 1} of ${count})` : ""}; restarting`,
      );
      await new Promise((r) => setTimeout(r, random() * 500));
      endpoints[victim] = await start(victim);
    }
    const store = await waitForSettled(target.config, ids.length, options.settleTimeoutMs, (view) =>
      options.progress(`crash loop: ${view.settled}/${ids.length} settled after the last restart`),
    );
    await world.provider.idle();
    await world.adyen?.standIn.idle();
    const heldRefusals = world.dataverse.state.stats.throttled.whileHeld - heldBefore;
    return { purchases: ids.length, kills: options.kills, store, heldRefusals, ...judge(world, ids) };
  } finally {
    world.provider.setWebhookUrl(null);
    world.adyen?.standIn.setWebhookUrl(null);
    await Promise.all(endpoints.map((e) => e.stop(5000)));
    await proxy?.close();
    world.clock.setScale(1);
  }
}
