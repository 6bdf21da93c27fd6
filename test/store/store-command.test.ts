// `npm run store -- migrate|copy`: the schema brought up before a rolling deploy, and a SQLite
// store moved into PostgreSQL with its open purchase, its leased and pending jobs and its seen
// events, refused into a non-empty target unless --replace; no URL or password ever printed.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardJob, closeCheckoutJob } from "../../confirmation-endpoint/lifecycle/jobs";
import { planEvents } from "../../confirmation-endpoint/lifecycle/plan-event";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { PG_MIGRATIONS } from "../../confirmation-endpoint/store/postgres/migrations";
import { parseStoreUrl } from "../../confirmation-endpoint/store/store-url";
import type { StoreConfig } from "../../confirmation-endpoint/store/store-url";
import type { PaymentStore } from "../../confirmation-endpoint/store/types";
import { runStoreCommand } from "../../scripts/store/run-store-command";
import { postgresBinForTests, startCluster } from "./postgres-cluster";
import type { PgCluster } from "./postgres-cluster";
import { event, NOW, P, purchase } from "./store-contract";

async function run(argv: string[]) {
  let out = "";
  let err = "";
  const code = await runStoreCommand(argv, {
    env: { PGSSLMODE: "disable" },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
}

describe("npm run store: usage", () => {
  it.each([
    [[], "name a command: migrate or copy"],
    [["migrate"], "--to is required"],
    [["migrate", "--to", "sqlite:/tmp/x.sqlite"], "--to must be a postgres:// URL"],
    [["copy", "--from", "sqlite:/x", "--to", "postgres://u:pw-leak@h"], "names no database"],
    [["vacuum"], 'unknown command "vacuum"'],
    [["copy", "--bogus"], "--bogus is not an option of npm run store"],
  ])("%o → exit 1: %s", async (argv, message) => {
    const result = await run(argv);
    expect(result).toMatchObject({ code: 1, out: "" });
    expect(result.err).toContain(message);
    expect(result.err).not.toContain("pw-leak");
  });

  it("--help prints the commands", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("copy --from <store-url> --to <postgres-url> [--replace]");
  });
});

async function snapshot(store: PaymentStore) {
  return {
    purchase: await store.getPurchase(P),
    checkouts: await store.listCheckouts(P),
    payments: await store.listPayments(P),
    jobs: await store.listJobs(),
    summary: await store.summary(),
  };
}

/** A SQLite store with an open purchase, a seen event, a leased job, two pending ones and a dead letter. */
async function sqliteWithOpenPurchase(path: string) {
  const source = openStore({ kind: "sqlite", path });
  try {
    await source.beginCheckout({
      purchase,
      provider: "stripe",
      now: NOW,
      idempotencyKeyFor: (a) => `k${a}`,
      jobs: [guardJob(P, NOW), closeCheckoutJob(P, NOW + 5)],
    });
    await source.recordWebhook(planEvents([event("evt_1")], NOW), NOW);
    const [leased] = await source.claimJobs({ workerId: "w-old", limit: 1, now: NOW, leaseMs: 60_000 });
    const letter = { purchaseId: P, kind: "k", reason: "r" };
    await source.commitJob(leased!.id, "w-old", { deadLetters: [letter], next: { kind: "keep" } }, NOW);
    return await snapshot(source);
  } finally {
    await source.close();
  }
}

const bin = postgresBinForTests();
let cluster: PgCluster;
const dir = mkdtempSync(join(tmpdir(), "store-command-"));
beforeAll(async () => {
  if (bin) cluster = await startCluster(bin);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!bin)("npm run store on PostgreSQL", () => {
  it("migrate brings a new database to this release once, then finds nothing to do", async () => {
    const url = await cluster.createDatabase("migrated");
    const first = await run(["migrate", "--to", url, "--json"]);
    expect(first.code).toBe(0);
    const versions = PG_MIGRATIONS.map((m) => m.version);
    expect(JSON.parse(first.out)).toEqual({
      store: `postgres://127.0.0.1:${cluster.port}/migrated`,
      applied: versions,
      version: Math.max(...versions),
    });
    const again = await run(["migrate", "--to", url]);
    expect(again.out).toBe(`schema version ${Math.max(...versions)}; applied now: none\n`);
    expect(first.err + again.err).not.toContain(cluster.password);
  });

  it("copy moves an open purchase with its leased and pending jobs; a second copy needs --replace", async () => {
    const sqlitePath = join(dir, "gateway.sqlite");
    const before = await sqliteWithOpenPurchase(sqlitePath);
    const url = await cluster.createDatabase("copied");
    const copy = await run(["copy", "--from", `sqlite:${sqlitePath}`, "--to", url, "--json"]);
    expect(copy.code).toBe(0);
    expect(JSON.parse(copy.out).copied).toEqual({
      purchase: 1,
      checkout: 1,
      payment: 1,
      webhook_event: 1,
      outbox: 3,
      refund: 0,
      dead_letter: 1,
    });
    expect(copy.err).toContain("copied outbox: 3 row(s)");
    expect(copy.err).not.toContain(cluster.password);

    const target = openStore(parseStoreUrl(url, { PGSSLMODE: "disable" }) as StoreConfig);
    try {
      expect(await snapshot(target)).toEqual(before);
      expect(await target.listDeadLetters()).toHaveLength(1);
      // The replayed event is still known, and new rows get ids after the copied ones.
      expect(await target.recordWebhook(planEvents([event("evt_1")], NOW), NOW)).toEqual({
        stored: 0,
        duplicates: 1,
      });
      await target.enqueueJob(guardJob("another", NOW), NOW);
      expect((await target.listJobs()).map((j) => j.id)).toEqual([1, 2, 3, 4]);
    } finally {
      await target.close();
    }

    const refused = await run(["copy", "--from", `sqlite:${sqlitePath}`, "--to", url]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("already holds payment rows");
    expect(refused.err).toContain("Fix: Copy into an empty database, or pass --replace");
    const replaced = await run(["copy", "--from", `sqlite:${sqlitePath}`, "--to", url, "--replace"]);
    expect(replaced.code).toBe(0);
    expect(replaced.out).toContain("outbox: 3\n");
  });
});
