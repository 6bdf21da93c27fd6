// Crash during the burst: the endpoint process is SIGKILLed at random moments while the Stripe
// stand-in delivers the webhooks of a burst of paid purchases (retrying while the endpoint is down),
// restarted on the same port and store each time, and at the end every purchase must be finalized
// exactly once in Dataverse or refunded at Stripe.

import { createServer } from "node:net";
import { join } from "node:path";
import type { DataverseView, StoreView } from "./outcomes";
import { countRefunds, readDataverse, refundedPurchaseIds, waitForSettled } from "./outcomes";
import { checkoutAndPay, payAll, registerPurchases } from "./purchases";
import type { EndpointProcess } from "./spawn-endpoint";
import { spawnEndpoint } from "./spawn-endpoint";
import type { BurstWorld } from "./stand-ins";

export interface CrashLoopResult {
  purchases: number;
  kills: number;
  store: StoreView;
  dataverse: DataverseView;
  refunds: number;
  finalizeSucceeded: number;
  /** Purchases neither finalized in Dataverse nor refunded at Stripe. */
  lost: number;
  /** Successful finalize calls beyond one per finalized purchase, plus purchases both finalized and refunded. */
  doubled: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
  },
): Promise<CrashLoopResult> {
  const random = options.random ?? Math.random;
  const storePath = join(options.dir, "crash.sqlite");
  const logFile = join(options.dir, "crash.log");
  const scale = options.ceiling?.timeScale ?? 1;
  world.clock.setScale(1);
  world.setTimeScale(scale);
  world.liftLimits();
  const port = await freePort();
  // The lease is in clock seconds: about 3 real seconds, so a killed process's jobs come back soon.
  const envFor = () => ({
    ...world.endpointEnv({ users: 1, storePath }),
    PORT: String(port),
    BURST_LEASE_SECONDS: String(3 * scale),
    BURST_RECONCILE_MS: "3000",
  });
  let endpoint: EndpointProcess = await spawnEndpoint(envFor(), logFile);
  const ids = registerPurchases(world, options.purchases);
  options.progress(`crash loop: checking out ${ids.length} purchases, then paying them with webhooks on`);
  try {
    const sessions = await checkoutAndPay(world, endpoint.url, ids, { pay: false });
    if (options.ceiling) {
      endpoint.setClock(world.clock.setScale(scale));
      await world.startAtCeiling({ costMs: options.ceiling.costMs, users: 1 });
    }
    world.tally.reset();
    if (world.adyen) world.adyen.attach(endpoint.url);
    else world.provider.setWebhookUrl(`${endpoint.url}/v1/webhooks/stripe`);
    payAll(world, sessions);
    for (let kill = 1; kill <= options.kills; kill++) {
      const [min, max] = options.killAfterMs ?? [300, 2000];
      await new Promise((r) => setTimeout(r, min + random() * (max - min)));
      await endpoint.kill();
      options.progress(`crash loop: SIGKILL ${kill}/${options.kills}; restarting`);
      await new Promise((r) => setTimeout(r, random() * 500));
      endpoint = await spawnEndpoint(envFor(), logFile);
    }
    const store = await waitForSettled(storePath, ids.length, options.settleTimeoutMs, (view) =>
      options.progress(`crash loop: ${view.settled}/${ids.length} settled after the last restart`),
    );
    await world.provider.idle();
    await world.adyen?.standIn.idle();
    const dataverse = readDataverse(world, ids);
    const refunds = countRefunds(world, ids);
    let lost = 0;
    let both = 0;
    const refundedIds = new Set(refundedPurchaseIds(world));
    for (const id of ids) {
      const processed = world.dataverse.state.purchase(id).processed;
      if (!processed && !refundedIds.has(id)) lost++;
      if (processed && refundedIds.has(id)) both++;
    }
    return {
      purchases: ids.length,
      kills: options.kills,
      store,
      dataverse,
      refunds,
      finalizeSucceeded: world.tally.succeeded,
      lost,
      doubled: Math.max(0, world.tally.succeeded - dataverse.processed) + dataverse.doubled + both,
    };
  } finally {
    world.provider.setWebhookUrl(null);
    world.adyen?.standIn.setWebhookUrl(null);
    await endpoint.stop(5000);
    world.clock.setScale(1);
  }
}
