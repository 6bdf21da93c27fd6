// Instances that use one application user share Dataverse's throttling hold through their store:
// two Dataverse clients with their own memory, each on its own connection to one store (a SQLite
// file, a PostgreSQL database on a throwaway cluster), against the Dataverse stand-in that holds a
// user until the Retry-After ends and lengthens the hold for every request sent meanwhile.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeadlineExceededError } from "../../confirmation-endpoint/dataverse";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import type { SharedUserHolds } from "../../confirmation-endpoint/dataverse/shared-holds";
import { createHoldSync, userHoldKey } from "../../confirmation-endpoint/dataverse/shared-holds";
import { createMetrics } from "../../confirmation-endpoint/metrics";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { parseStoreUrl } from "../../confirmation-endpoint/store/store-url";
import type { StoreConfig } from "../../confirmation-endpoint/store/store-url";
import type { PaymentStore } from "../../confirmation-endpoint/store/types";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { connectKitClient } from "../sandbox/dataverse-helpers";
import { postgresBinForTests, startCluster } from "../store/postgres-cluster";
import type { PgCluster } from "../store/postgres-cluster";

const bin = postgresBinForTests();
let cluster: PgCluster | undefined;
const root = mkdtempSync(join(tmpdir(), "shared-holds-"));
let n = 0;

beforeAll(async () => {
  if (bin) cluster = await startCluster(bin);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});

/** The stand-in with a 2 s window of 2 requests: the third is told Retry-After: 2 and held that long. */
async function standIn(): Promise<DataverseStandIn> {
  const s = await startDataverseStandIn({ limits: { requestsPerWindow: 2, windowMs: 2000 } });
  opened.push(s);
  return s;
}

function client(s: DataverseStandIn, store: SharedUserHolds): DataverseClient {
  const c = connectKitClient(s, { sharedHolds: store });
  opened.push(c);
  return c;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The Dataverse gauges of /metrics for `c`, as Prometheus reads them. */
async function dataverseGauges(c: DataverseClient): Promise<Record<string, number>> {
  const metrics = createMetrics({ processMetrics: false });
  metrics.watchDataverse(() => c.metrics());
  const families = parsePrometheusTextFormat(await metrics.render());
  return Object.fromEntries(
    families
      .filter((f) => f.name.startsWith("gateway_dataverse_") && f.type === "GAUGE")
      .map((f) => [f.name, Number((f.metrics[0] as { value: string }).value)]),
  );
}

/** Calls through `a` until the user's window is full and `a` meets the 429 (its deadline is short, so it gives up). */
async function throttle(a: DataverseClient): Promise<void> {
  for (let i = 0; i < 3; i++) {
    try {
      await a.get("WhoAmI", { deadline: Date.now() + 500 });
    } catch (error) {
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect(a.metrics().throttles).toBe(1);
      return;
    }
  }
  throw new Error("the stand-in never throttled");
}

interface Backend {
  name: string;
  skip: boolean;
  /** A new place for a store; `open` connects to it again (another instance, or after a restart). */
  fresh(): Promise<() => PaymentStore>;
}

const backends: Backend[] = [
  {
    name: "SQLite",
    skip: false,
    async fresh() {
      const config: StoreConfig = { kind: "sqlite", path: join(root, `holds-${++n}.sqlite`) };
      return () => openStore(config);
    },
  },
  {
    name: "PostgreSQL",
    skip: !bin,
    async fresh() {
      const url = await cluster!.createDatabase(`holds${++n}`);
      const config = parseStoreUrl(url, { PGSSLMODE: "disable" });
      if ("problem" in config) throw new Error(config.problem);
      return () => openStore(config);
    },
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`a throttling hold shared through the ${backend.name} store`, () => {
    const openOn = (connect: () => PaymentStore) => {
      const store = connect();
      opened.push(store);
      return store;
    };

    it("after one client's 429 the other sends nothing to Dataverse until the hold ends", async () => {
      const s = await standIn();
      const connect = await backend.fresh();
      const a = client(s, openOn(connect));
      const b = client(s, openOn(connect));
      // B is already sending on the same user, so it has read the (empty) holds once.
      expect((await b.get("WhoAmI")).status).toBe(200);
      await throttle(a);
      const heldAt = Date.now();
      // B re-reads the shared holds at most every 250 ms: past that, it knows.
      await pause(300);
      const sentBefore = s.state.stats.apiRequests;
      const answer = await b.get("WhoAmI");
      expect(answer.status).toBe(200);
      // One request from B, the one that passed, after the hold (Retry-After: 2) ended.
      expect(s.state.stats.apiRequests - sentBefore).toBe(1);
      expect(s.state.stats.throttled.whileHeld).toBe(0);
      expect(b.metrics().throttles).toBe(0);
      expect(Date.now() - heldAt).toBeGreaterThanOrEqual(1500);
    });

    it("/metrics shows the hold on both instances: the one told by Dataverse and the one that read the store", async () => {
      const s = await standIn();
      const connect = await backend.fresh();
      const a = client(s, openOn(connect));
      const b = client(s, openOn(connect));
      expect(await dataverseGauges(b)).toEqual({
        gateway_dataverse_users_held: 0,
        gateway_dataverse_hold_seconds_left: 0,
        gateway_dataverse_requests_in_flight: 0,
      });
      await throttle(a);
      const onA = await dataverseGauges(a);
      expect(onA.gateway_dataverse_users_held).toBe(1);
      expect(onA.gateway_dataverse_hold_seconds_left).toBeGreaterThan(0);
      expect(onA.gateway_dataverse_hold_seconds_left).toBeLessThanOrEqual(2);
      // B learns of the hold when it next wants to send (it reads the store first), then waits.
      const waiting = b.get("WhoAmI");
      await pause(100);
      const onB = await dataverseGauges(b);
      expect(onB.gateway_dataverse_users_held).toBe(1);
      expect(onB.gateway_dataverse_hold_seconds_left).toBeGreaterThan(0);
      expect(onB.gateway_dataverse_requests_in_flight).toBe(0);
      expect((await waiting).status).toBe(200);
      expect((await dataverseGauges(b)).gateway_dataverse_users_held).toBe(0);
    });

    it("a hold in the store outlives a restart: the new client waits it out before sending", async () => {
      const s = await standIn();
      const connect = await backend.fresh();
      const first = connect();
      const a = connectKitClient(s, { sharedHolds: first });
      await throttle(a);
      a.close();
      await first.close();

      const after = client(s, openOn(connect));
      const sentBefore = s.state.stats.apiRequests;
      expect((await after.get("WhoAmI")).status).toBe(200);
      expect(s.state.stats.apiRequests - sentBefore).toBe(1);
      expect(s.state.stats.throttled.whileHeld).toBe(0);
      expect(after.metrics().throttles).toBe(0);
    });
  });
}

describe("reading the shared holds", () => {
  function countingHolds(fail = false) {
    const calls = { reads: 0, writes: 0 };
    const holds: SharedUserHolds = {
      async recordUserHold() {
        calls.writes++;
        if (fail) throw new Error("store down");
      },
      async readUserHolds() {
        calls.reads++;
        if (fail) throw new Error("store down");
        return [];
      },
    };
    return { holds, calls };
  }

  it("re-reads at most once per refresh interval, not once per request", async () => {
    const s = await startDataverseStandIn({});
    opened.push(s);
    const slow = countingHolds();
    const c = connectKitClient(s, { sharedHolds: slow.holds, sharedHoldRefreshMs: 60_000 });
    opened.push(c);
    for (let i = 0; i < 10; i++) await c.get("WhoAmI");
    expect(slow.calls.reads).toBe(1);
    const eager = countingHolds();
    const e = connectKitClient(s, { sharedHolds: eager.holds, sharedHoldRefreshMs: 0 });
    opened.push(e);
    for (let i = 0; i < 10; i++) await e.get("WhoAmI");
    expect(eager.calls.reads).toBe(10);
  });

  it("a store that cannot be read or written leaves the client working on what it knows", async () => {
    const s = await startDataverseStandIn({ limits: { requestsPerWindow: 2, windowMs: 2000 } });
    opened.push(s);
    const down = countingHolds(true);
    const logged: string[] = [];
    const c = connectKitClient(s, {
      sharedHolds: down.holds,
      sharedHoldRefreshMs: 0,
      log: (entry) => logged.push(entry.event),
    });
    opened.push(c);
    await throttle(c);
    expect(down.calls.writes).toBe(1);
    expect(logged).toContain("dataverse.shared_hold.unreadable");
  });

  it("names an application user by organisation, tenant and client id, never by its secret", () => {
    const org = "https://Contoso.crm4.dynamics.com/";
    const defaults = { tenantId: "T-1", clientId: "C-1" };
    const key = userHoldKey(org, defaults, { clientSecret: "s3cret-value" });
    expect(key).toBe("contoso.crm4.dynamics.com t-1 c-1");
    expect(userHoldKey(org, defaults, { clientSecret: "other", clientId: "C-2" })).not.toBe(key);
    expect(userHoldKey(org, defaults, { managedIdentity: { kind: "system" } })).toBe(
      "contoso.crm4.dynamics.com managed-identity system",
    );
  });
});

describe("publishing a hold", () => {
  it("a hold the store could not record is written again at the next 429, even with the same end", async () => {
    const recorded: number[] = [];
    let failNext = true;
    const logged: string[] = [];
    const sync = createHoldSync(
      {
        async recordUserHold(hold) {
          if (failNext) {
            failNext = false;
            throw new Error("store unavailable");
          }
          recorded.push(hold.heldUntil);
        },
        async readUserHolds() {
          return [];
        },
      },
      { refreshMs: 250, now: () => 1_000, log: (entry) => logged.push(entry.event) },
    );
    const target = { key: "org tenant client", label: "user1", blockedUntil: 0 };
    await sync.publish(target, 5_000);
    expect(recorded).toEqual([]);
    expect(logged).toEqual(["dataverse.shared_hold.unwritable"]);
    await sync.publish(target, 5_000);
    expect(recorded).toEqual([5_000]);
    // Recorded once: the same end again is not written twice.
    await sync.publish(target, 5_000);
    expect(recorded).toEqual([5_000]);
  });
});
