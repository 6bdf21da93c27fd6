// Three endpoint processes on one PostgreSQL database, killed and restarted at random while paid
// purchases' webhooks arrive spread over them (each event sent to two instances at the same
// moment). At the end every paid purchase is finalized exactly once in Dataverse or refunded at
// Stripe, none lost, none doubled, and no finalize call for a purchase was sent while another for
// it was still in flight (read from a recording proxy in front of the Dataverse stand-in).

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { parseStoreUrl } from "../../confirmation-endpoint/store/store-url";
import type { PostgresStoreConfig } from "../../confirmation-endpoint/store/store-url";
import {
  checkoutAndPay,
  completedEvents,
  registerPurchases,
  signedHeaders,
} from "../../scripts/bench/burst/purchases";
import type { PaidPurchase } from "../../scripts/bench/burst/purchases";
import { createScaledClock } from "../../scripts/bench/burst/scaled-clock";
import { spawnEndpoint } from "../../scripts/bench/burst/spawn-endpoint";
import type { EndpointProcess } from "../../scripts/bench/burst/spawn-endpoint";
import { startBurstWorld } from "../../scripts/bench/burst/stand-ins";
import type { BurstWorld } from "../../scripts/bench/burst/stand-ins";
import { postgresBinForTests, startCluster } from "../store/postgres-cluster";
import type { PgCluster } from "../store/postgres-cluster";
import { startFinalizeRecorder } from "./finalize-recorder";
import type { FinalizeRecorder } from "./finalize-recorder";

const PURCHASES = 24;
const KILLS = 5;
const INSTANCES = 3;
const SETTLED = new Set(["finalized", "refunded", "failed", "expired"]);

const bin = postgresBinForTests();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POST one signed event to `url` until it answers 2xx (the instance may be dead or restarting). */
async function deliver(world: BurstWorld, urls: () => string[], first: number, body: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const list = urls();
    const url = list[(first + attempt) % list.length]!;
    try {
      const res = await fetch(`${url}/v1/webhooks/stripe`, {
        method: "POST",
        headers: signedHeaders(world, body),
        body,
      });
      await res.arrayBuffer();
      if (res.status < 300) return;
    } catch {
      // Connection refused or reset: the instance was killed; the next try goes elsewhere.
    }
    await sleep(100 + Math.random() * 200);
  }
}

describe.skipIf(!bin)("several endpoint instances on one PostgreSQL", () => {
  let dir: string;
  let cluster: PgCluster;
  let world: BurstWorld;
  let recorder: FinalizeRecorder;
  let storeConfig: PostgresStoreConfig;
  const instances: Array<EndpointProcess | null> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "multi-instance-"));
    cluster = await startCluster(bin!);
    world = await startBurstWorld({ clock: createScaledClock(), timeScale: 1, dir, passCapacity: 1000 });
    recorder = await startFinalizeRecorder(world.dataverse.url, 150);
    const url = await cluster.createDatabase("gateway");
    storeConfig = parseStoreUrl(url, { PGSSLMODE: "disable" }) as PostgresStoreConfig;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => i?.kill()));
    await recorder?.close();
    await world?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finalizes each paid purchase exactly once or refunds it, through SIGKILLs of any instance", async () => {
    const ports = await Promise.all(Array.from({ length: INSTANCES }, freePort));
    const envFor = (i: number) => ({
      ...world.endpointEnv({ users: 1, storePath: join(dir, "unused.sqlite") }),
      DATAVERSE_URL: recorder.url,
      DATAVERSE_AUTHORITY_HOST: recorder.url,
      STORE_URL: storeConfig.url,
      PGSSLMODE: "disable",
      STORE_POOL_SIZE: "4",
      PORT: String(ports[i]),
      // A killed instance's jobs come back to the others after 3 s.
      BURST_LEASE_SECONDS: "3",
      BURST_POLL_MS: "500",
    });
    const start = (i: number) => spawnEndpoint(envFor(i), join(dir, `instance-${i}.log`));
    instances.push(...(await Promise.all(ports.map((_, i) => start(i)))));
    const urls = () => ports.map((p) => `http://127.0.0.1:${p}`);

    // Checkouts through every instance: any of them takes any call.
    const ids = registerPurchases(world, PURCHASES);
    const paid: PaidPurchase[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const share = ids.filter((_, k) => k % INSTANCES === i);
      paid.push(...(await checkoutAndPay(world, urls()[i]!, share)));
    }
    const bodies = completedEvents(world, paid);

    // Kill any instance at random moments while the webhooks arrive; restart it on its port.
    const kills = (async () => {
      for (let k = 0; k < KILLS; k++) {
        await sleep(400 + Math.random() * 900);
        const i = Math.floor(Math.random() * INSTANCES);
        const victim = instances[i];
        instances[i] = null;
        await victim?.kill();
        await sleep(Math.random() * 400);
        instances[i] = await start(i);
      }
    })();
    // Each event goes to two different instances at the same moment, a few events at a time.
    let next = 0;
    const lane = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const a = Math.floor(Math.random() * INSTANCES);
        await Promise.all([deliver(world, urls, a, body), deliver(world, urls, a + 1, body)]);
        await sleep(Math.random() * 150);
      }
    };
    await Promise.all([lane(), lane(), lane(), lane(), kills]);

    const store = openStore(storeConfig);
    let settled = 0;
    try {
      for (const until = Date.now() + 45_000; settled < PURCHASES && Date.now() < until; await sleep(300)) {
        const byState = (await store.summary()).purchasesByState;
        settled = Object.entries(byState).reduce((n, [state, c]) => n + (SETTLED.has(state) ? c! : 0), 0);
      }
      expect(settled).toBe(PURCHASES);
      // Each event stored once, although every one reached two instances at the same moment.
      expect((await store.summary()).webhookEvents).toBe(PURCHASES);
    } finally {
      await store.close();
    }
    await world.provider.idle();

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

    const outcomes = ids.map((id) => {
      const p = world.dataverse.state.purchase(id);
      return {
        id,
        processed: p.processed,
        refunded: refunded.has(id),
        registrations: p.registrationIds.length,
        finalizeSuccesses: successes.get(id) ?? 0,
      };
    });
    // Not vacuous: the purchases went through Dataverse (all within their deadline: none needs a refund).
    expect(outcomes.filter((o) => o.processed).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.processed === o.refunded)).toEqual([]);
    expect(outcomes.filter((o) => o.registrations > 1)).toEqual([]);
    expect(outcomes.filter((o) => o.finalizeSuccesses !== (o.processed ? 1 : 0))).toEqual([]);
    expect(recorder.overlaps()).toEqual([]);
  }, 150_000);
});
