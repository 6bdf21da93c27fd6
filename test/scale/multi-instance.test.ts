// Three endpoint processes on one PostgreSQL database, killed and restarted at random while paid
// purchases' webhooks arrive spread over them (each event sent to two instances at the same
// moment). At the end every paid purchase is finalized exactly once in Dataverse or refunded at
// Stripe, none lost, none doubled, and no finalize call for a purchase was sent while another for
// it was still in flight (read from a recording proxy in front of the Dataverse stand-in).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { parseStoreUrl } from "../../confirmation-endpoint/store/store-url";
import type { PostgresStoreConfig } from "../../confirmation-endpoint/store/store-url";
import { checkoutAndPay, completedEvents, registerPurchases } from "../../scripts/bench/burst/purchases";
import type { PaidPurchase } from "../../scripts/bench/burst/purchases";
import { createScaledClock } from "../../scripts/bench/burst/scaled-clock";
import { startBurstWorld } from "../../scripts/bench/burst/stand-ins";
import type { BurstWorld } from "../../scripts/bench/burst/stand-ins";
import { postgresBinForTests, startCluster } from "../store/postgres-cluster";
import type { PgCluster } from "../store/postgres-cluster";
import { startFinalizeRecorder } from "./finalize-recorder";
import type { FinalizeRecorder } from "./finalize-recorder";
import { sleep, startFleet } from "./instance-fleet";
import type { Fleet } from "./instance-fleet";

const PURCHASES = 24;
const KILLS = 5;
const INSTANCES = 3;
const SETTLED = new Set(["finalized", "refunded", "failed", "expired"]);

const bin = postgresBinForTests();
let dir: string;
let cluster: PgCluster;
let world: BurstWorld;
let recorder: FinalizeRecorder;
let storeConfig: PostgresStoreConfig;
let fleet: Fleet | undefined;

beforeAll(async () => {
  if (!bin) return;
  dir = mkdtempSync(join(tmpdir(), "multi-instance-"));
  cluster = await startCluster(bin);
  world = await startBurstWorld({ clock: createScaledClock(), timeScale: 1, dir, passCapacity: 1000 });
  recorder = await startFinalizeRecorder(world.dataverse.url, 150);
  const url = await cluster.createDatabase("gateway");
  storeConfig = parseStoreUrl(url, { PGSSLMODE: "disable" }) as PostgresStoreConfig;
}, 60_000);

afterAll(async () => {
  await fleet?.killAll();
  await recorder?.close();
  await world?.close();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The endpoint's environment: the stand-ins behind the recorder, the shared database, short leases. */
function instanceEnv(port: number): Record<string, string> {
  return {
    ...world.endpointEnv({ users: 1, storePath: join(dir, "unused.sqlite") }),
    DATAVERSE_URL: recorder.url,
    DATAVERSE_AUTHORITY_HOST: recorder.url,
    STORE_URL: storeConfig.url,
    PGSSLMODE: "disable",
    STORE_POOL_SIZE: "4",
    PORT: String(port),
    // A killed instance's jobs come back to the others after 3 s.
    BURST_LEASE_SECONDS: "3",
    BURST_POLL_MS: "500",
  };
}

/** Kill instances at random moments while each event goes to two of them at the same moment. */
async function deliverUnderKills(f: Fleet, bodies: string[]): Promise<void> {
  const kills = (async () => {
    for (let k = 0; k < KILLS; k++) {
      await sleep(400 + Math.random() * 900);
      await f.restart(Math.floor(Math.random() * INSTANCES), Math.random() * 400);
    }
  })();
  let next = 0;
  const lane = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const a = Math.floor(Math.random() * INSTANCES);
      await Promise.all([f.deliver(a, body), f.deliver(a + 1, body)]);
      await sleep(Math.random() * 150);
    }
  };
  await Promise.all([lane(), lane(), lane(), lane(), kills]);
}

/** Polls the shared store until every purchase is settled (or 45 s); answers the count settled. */
async function waitForSettled(): Promise<{ settled: number; webhookEvents: number }> {
  const store = openStore(storeConfig);
  try {
    let settled = 0;
    for (const until = Date.now() + 45_000; settled < PURCHASES && Date.now() < until; await sleep(300)) {
      const byState = (await store.summary()).purchasesByState;
      settled = Object.entries(byState).reduce((n, [state, c]) => n + (SETTLED.has(state) ? c! : 0), 0);
    }
    return { settled, webhookEvents: (await store.summary()).webhookEvents };
  } finally {
    await store.close();
  }
}

/** What Dataverse, Stripe and the recorder saw of each purchase. */
function outcomesOf(ids: string[]) {
  const intents = new Map(
    world.provider.state.paymentIntents(10_000).map((pi) => [pi.id, pi.metadata.purchaseId ?? ""]),
  );
  const refunded = new Set(
    world.provider.state.refunds(10_000).map((r) => intents.get(String(r.payment_intent)) ?? ""),
  );
  const successes = new Map<string, number>();
  for (const c of recorder.calls)
    if (c.status !== null && c.status < 300)
      successes.set(c.purchaseId, (successes.get(c.purchaseId) ?? 0) + 1);
  return ids.map((id) => {
    const p = world.dataverse.state.purchase(id);
    return {
      id,
      processed: p.processed,
      refunded: refunded.has(id),
      registrations: p.registrationIds.length,
      finalizeSuccesses: successes.get(id) ?? 0,
    };
  });
}

describe.skipIf(!bin)("several endpoint instances on one PostgreSQL", () => {
  it("finalizes each paid purchase exactly once or refunds it, through SIGKILLs of any instance", async () => {
    fleet = await startFleet(world, INSTANCES, { dir, env: instanceEnv });
    // Checkouts through every instance: any of them takes any call.
    const ids = registerPurchases(world, PURCHASES);
    const paid: PaidPurchase[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const share = ids.filter((_, k) => k % INSTANCES === i);
      paid.push(...(await checkoutAndPay(world, fleet.urls[i]!, share)));
    }
    await deliverUnderKills(fleet, completedEvents(world, paid));

    // Each event stored once, although every one reached two instances at the same moment.
    expect(await waitForSettled()).toEqual({ settled: PURCHASES, webhookEvents: PURCHASES });
    await world.provider.idle();
    const outcomes = outcomesOf(ids);
    // Not vacuous: the purchases went through Dataverse (all within their deadline: none needs a refund).
    expect(outcomes.filter((o) => o.processed).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.processed === o.refunded)).toEqual([]);
    expect(outcomes.filter((o) => o.registrations > 1)).toEqual([]);
    expect(outcomes.filter((o) => o.finalizeSuccesses !== (o.processed ? 1 : 0))).toEqual([]);
    expect(recorder.overlaps()).toEqual([]);
  }, 150_000);
});
