// One measured burst through the kit: an endpoint process, N purchases checked out and paid (setup,
// in real time, limits off), then the clock sped up, every application user's window filled to the
// ceiling, the N signed checkout.session.completed webhooks fired at a fixed rate, and the worker
// left to finalize them. Also prepares `extra` paid purchases whose events are not fired (the
// ingest baseline uses them).

import { join } from "node:path";
import type { FireResult } from "./fire-webhooks";
import { fireWebhooks } from "./fire-webhooks";
import type { DataverseView, StoreView } from "./outcomes";
import { countRefunds, readDataverse, waitForSettled } from "./outcomes";
import { checkoutAndPay, completedEvents, registerPurchases, signedHeaders } from "./purchases";
import { spawnEndpoint } from "./spawn-endpoint";
import type { BurstWorld } from "./stand-ins";

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
  afterSettled?: () => Promise<void>;
}

export interface KitBurstResult {
  ingest: FireResult;
  /** Clock ms from the first webhook sent to the last successful finalize. */
  clockMs: number;
  store: StoreView;
  dataverse: DataverseView;
  finalizeRequests: number;
  finalizeSucceeded: number;
  throttled: number;
  refunds: number;
  peakRssMiB: number | null;
  /** Signed bodies of the extra paid purchases (not fired). */
  extraEvents: string[];
}

export async function runKitBurst(world: BurstWorld, options: KitBurstOptions): Promise<KitBurstResult> {
  const { progress } = options;
  const storePath = join(options.dir, `${options.label}.sqlite`);
  world.clock.setScale(1);
  world.setTimeScale(options.timeScale);
  world.liftLimits();
  const endpoint = await spawnEndpoint(
    world.endpointEnv({ users: options.users, storePath }),
    join(options.dir, `${options.label}.log`),
  );
  try {
    const total = options.purchases + (options.extra ?? 0);
    progress(
      `${options.label}: registering and checking out ${total} purchases (setup, real time, limits off)`,
    );
    const ids = registerPurchases(world, total);
    const paid = await checkoutAndPay(world, endpoint.url, ids);
    const measured = paid.slice(0, options.purchases);
    const events = completedEvents(world, measured);
    const extraEvents = completedEvents(world, paid.slice(options.purchases));

    endpoint.setClock(world.clock.setScale(options.timeScale));
    await world.startAtCeiling({ costMs: options.costMs, users: options.users });
    world.tally.reset();
    const started = world.clock.now();
    progress(
      `${options.label}: firing ${events.length} webhooks at ${options.fireRate}/s; clock x${options.timeScale}, windows full`,
    );
    const ingest = await fireWebhooks({
      url: `${endpoint.url}/v1/webhooks/stripe`,
      bodies: events,
      ratePerSecond: options.fireRate,
      headersFor: (body) => signedHeaders(world, body),
      timeoutMs: 10_000,
    });
    const store = await waitForSettled(storePath, options.purchases, options.settleTimeoutMs, (view) =>
      progress(
        `${options.label}: ${view.states.finalized ?? 0}/${options.purchases} finalized, ${world.tally.throttled} x 429 so far`,
      ),
    );
    await options.afterSettled?.();
    const peakRssMiB = endpoint.peakRssMiB();
    const measuredIds = measured.map((p) => p.purchaseId);
    return {
      ingest,
      clockMs: world.tally.lastSuccessAt - started,
      store,
      dataverse: readDataverse(world, measuredIds),
      finalizeRequests: world.tally.requests,
      finalizeSucceeded: world.tally.succeeded,
      throttled: world.tally.throttled,
      refunds: countRefunds(world, measuredIds),
      peakRssMiB,
      extraEvents,
    };
  } finally {
    await endpoint.stop(5000);
    world.clock.setScale(1);
  }
}
