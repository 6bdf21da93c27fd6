// The PostgreSQL store on a throwaway cluster: the shared contract (each test its own database),
// plus what only several instances on one server show: two pools claiming at once, fencing after
// a lease ran out, NOTIFY waking another instance, migrations racing, the password's two sources,
// a webhook delivery stored in one round trip, the same event reaching two instances at once.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import pg from "pg";
import { StaleLeaseError, StoreError } from "../../confirmation-endpoint/errors";
import { guardJob, closeCheckoutJob, refundJob } from "../../confirmation-endpoint/lifecycle/jobs";
import { planEvents } from "../../confirmation-endpoint/lifecycle/plan-event";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { PG_MIGRATIONS } from "../../confirmation-endpoint/store/postgres/migrations";
import { parseStoreUrl } from "../../confirmation-endpoint/store/store-url";
import type { StoreConfig } from "../../confirmation-endpoint/store/store-url";
import type { JobRecord, PaymentStore } from "../../confirmation-endpoint/store/types";
import { postgresBinForTests, startCluster } from "./postgres-cluster";
import type { PgCluster } from "./postgres-cluster";
import { describeStoreContract, event, NOW } from "./store-contract";

const bin = postgresBinForTests();
let cluster: PgCluster;
let n = 0;

function configFor(url: string, env: Record<string, string> = {}): StoreConfig {
  const config = parseStoreUrl(url, { PGSSLMODE: "disable", ...env });
  if ("problem" in config) throw new Error(config.problem);
  return config;
}

async function freshStore(): Promise<{ store: PaymentStore; url: string }> {
  const url = await cluster.createDatabase(`t${++n}`);
  return { store: openStore(configFor(url)), url };
}

const refundFor = (purchaseId: string | null, paymentId: string) =>
  refundJob(
    {
      purchaseId,
      provider: "stripe",
      providerPaymentId: paymentId,
      amountMinor: 100,
      currency: "EUR",
      reason: "deadline_passed",
      winner: false,
    },
    NOW,
  );

beforeAll(async () => {
  if (bin) cluster = await startCluster(bin);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe.skipIf(!bin)("PostgreSQL store", () => {
  describeStoreContract("postgres", async () => (await freshStore()).store);
});

describe.skipIf(!bin)("PostgreSQL store: several instances on one database", () => {
  it("two instances claiming at once never take the same job, nor two jobs of one purchase", async () => {
    const { store: a, url } = await freshStore();
    const b = openStore(configFor(url));
    try {
      for (let i = 0; i < 30; i++) {
        const purchase = `p-${i}`;
        await a.enqueueJob(guardJob(purchase, NOW), NOW);
        await a.enqueueJob(closeCheckoutJob(purchase, NOW), NOW);
        await a.enqueueJob(refundFor(null, `pi_${i}`), NOW);
      }
      const claim = (store: PaymentStore, workerId: string) =>
        store.claimJobs({ workerId, limit: 4, now: NOW, leaseMs: 60_000 });
      const claimed: JobRecord[] = [];
      for (let round = 0; round < 30; round++) {
        const batches = await Promise.all([claim(a, "a"), claim(b, "b"), claim(a, "a2"), claim(b, "b2")]);
        claimed.push(...batches.flat());
      }
      const ids = claimed.map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      const perPurchase = new Map<string, number>();
      for (const j of claimed) {
        if (j.purchaseId) perPurchase.set(j.purchaseId, (perPurchase.get(j.purchaseId) ?? 0) + 1);
      }
      expect([...perPurchase.values()].every((count) => count === 1)).toBe(true);
      expect(perPurchase.size).toBe(30);
      expect(claimed.filter((j) => j.purchaseId === null)).toHaveLength(30);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("two instances racing for two jobs of one purchase lease only one of them", async () => {
    const { store: a, url } = await freshStore();
    const b = openStore(configFor(url));
    try {
      const claim = (store: PaymentStore, workerId: string) =>
        store.claimJobs({ workerId, limit: 1, now: NOW, leaseMs: 60_000 });
      const claimed: JobRecord[] = [];
      for (let round = 0; round < 40; round++) {
        // Each round's jobs sort first, and a purchase's two jobs fall in different claimers' scans
        // (a claim scans 8 due rows): without the database serialising purchases, both get leased.
        const at = NOW - 1000 - round * 10;
        const purchases = Array.from({ length: 8 }, (_, k) => `race-${round}-${k}`);
        for (const p of purchases) await a.enqueueJob(guardJob(p, at), NOW);
        for (const p of purchases) await a.enqueueJob(closeCheckoutJob(p, at), NOW);
        const batches = await Promise.all([claim(a, "a"), claim(b, "b"), claim(a, "a2"), claim(b, "b2")]);
        claimed.push(...batches.flat());
      }
      const perPurchase = new Map<string, number>();
      for (const j of claimed) perPurchase.set(j.purchaseId!, (perPurchase.get(j.purchaseId!) ?? 0) + 1);
      expect([...perPurchase.entries()].filter(([, count]) => count > 1)).toEqual([]);
      expect(claimed.length).toBeGreaterThanOrEqual(40);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe.skipIf(!bin)("PostgreSQL store: webhook deliveries", () => {
  it("stores a delivery in one statement (no BEGIN, no COMMIT) and announces it after, when it stored a job", async () => {
    const { store } = await freshStore();
    // Every statement any connection of this process sends goes through Client#query.
    const query = vi.spyOn(pg.Client.prototype, "query");
    const sent = () =>
      query.mock.calls.map(([q]) =>
        typeof q === "string" ? q : (q as { name?: string; text: string }).name,
      );
    try {
      await store.ping();
      const delivery = planEvents(
        [event("evt_rt_1"), event("evt_rt_2", { providerPaymentId: "pi_2" }), event("evt_rt_1")],
        NOW,
      );
      query.mockClear();
      expect(await store.recordWebhook(delivery, NOW)).toEqual({ stored: 2, duplicates: 1 });
      // The NOTIFY follows the commit, on its own; the webhook's answer does not wait for it.
      await vi.waitFor(() => expect(sent()).toEqual(["store_webhook_delivery", "announce_work"]));
      query.mockClear();
      expect(await store.recordWebhook(delivery, NOW)).toEqual({ stored: 0, duplicates: 3 });
      await new Promise((r) => setTimeout(r, 100));
      expect(sent()).toEqual(["store_webhook_delivery"]);
      expect((await store.listJobs()).map((j) => j.dedupe)).toEqual([
        "payment:stripe:cs_1:pi_1",
        "payment:stripe:cs_1:pi_2",
      ]);
    } finally {
      query.mockRestore();
      await store.close();
    }
  });

  it("sends each statement prepared, and a job's life in few round trips: enqueue and renewal alone, a step's lease checked by its last statement", async () => {
    const { store } = await freshStore();
    const query = vi.spyOn(pg.Client.prototype, "query");
    const sent = () =>
      query.mock.calls.map(([q]) => {
        if (typeof q === "string") return q;
        const { name, text } = q as { name?: string; text: string };
        return name ? text.trim().split(/\s+/).slice(0, 4).join(" ") : `unprepared: ${text}`;
      });
    try {
      await store.ping();
      query.mockClear();
      await store.enqueueJob(guardJob("p-rt", NOW), NOW);
      await vi.waitFor(() => expect(sent()).toHaveLength(2));
      expect(sent()).toEqual([
        "INSERT INTO outbox (dedupe,",
        "SELECT set_config('synchronous_commit', 'off', true),",
      ]);
      query.mockClear();
      const [job] = await store.claimJobs({ workerId: "w", limit: 1, now: NOW, leaseMs: 1000 });
      // The scan, the purchase's advisory lock, the lease (which checks the purchase is not busy).
      expect(sent()).toEqual([
        "BEGIN",
        "SELECT id, purchase_id FROM",
        "SELECT p FROM unnest($1::text[])",
        "UPDATE outbox o SET",
        "COMMIT",
      ]);
      query.mockClear();
      await store.renewLease(job!.id, "w", NOW + 2000, NOW + 10);
      expect(sent()).toEqual(["UPDATE outbox SET locked_until"]);
      query.mockClear();
      await store.commitJob(job!.id, "w", { next: { kind: "done" } }, NOW + 20);
      expect(sent()).toEqual(["BEGIN", "UPDATE outbox SET state", "COMMIT"]);
      query.mockClear();
      expect(await store.claimJobs({ workerId: "w", limit: 1, now: NOW + 30, leaseMs: 1000 })).toEqual([]);
      expect(sent()).toEqual(["BEGIN", "SELECT id, purchase_id FROM", "COMMIT"]);
    } finally {
      query.mockRestore();
      await store.close();
    }
  });

  it("two instances receiving the same events at the same moment store each once and count the other a duplicate", async () => {
    const { store: a, url } = await freshStore();
    const b = openStore(configFor(url));
    try {
      await Promise.all([a.ping(), b.ping()]);
      const delivery = (i: number) =>
        planEvents(
          [event(`evt_twice_${i}`, { providerPaymentId: `pi_${i}`, providerSessionId: `cs_${i}` })],
          NOW,
        );
      const rounds = 40;
      const outcomes = await Promise.all(
        Array.from({ length: rounds }, (_, i) =>
          Promise.all([a.recordWebhook(delivery(i), NOW), b.recordWebhook(delivery(i), NOW)]),
        ),
      );
      for (const pair of outcomes) {
        expect(pair.map((o) => o.stored).sort()).toEqual([0, 1]);
        expect(pair.map((o) => o.duplicates).sort()).toEqual([0, 1]);
      }
      expect((await a.summary()).webhookEvents).toBe(rounds);
      const jobs = await b.listJobs();
      expect(jobs).toHaveLength(rounds);
      expect(jobs.every((j) => j.attempts === 0 && j.notBefore === NOW)).toBe(true);
      expect(await a.getPayment("stripe", `pi_${rounds - 1}`)).toMatchObject({ state: "reported" });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe.skipIf(!bin)("PostgreSQL store: fencing", () => {
  it("fences a worker whose lease ran out: its step is refused and nothing of it is written", async () => {
    const { store: a, url } = await freshStore();
    const b = openStore(configFor(url));
    try {
      await a.enqueueJob(guardJob("p-1", NOW), NOW);
      const [first] = await a.claimJobs({ workerId: "slow", limit: 1, now: NOW, leaseMs: 1000 });
      const [taken] = await b.claimJobs({ workerId: "fast", limit: 1, now: NOW + 1001, leaseMs: 1000 });
      expect(taken!.id).toBe(first!.id);
      const late = {
        deadLetters: [{ purchaseId: "p-1", kind: "late", reason: "stale" }],
        next: { kind: "done" as const },
      };
      await expect(a.commitJob(first!.id, "slow", late, NOW + 1002)).rejects.toBeInstanceOf(StaleLeaseError);
      await expect(a.renewLease(first!.id, "slow", NOW + 5000, NOW + 1002)).rejects.toBeInstanceOf(
        StaleLeaseError,
      );
      expect(await b.listDeadLetters()).toEqual([]);
      await b.commitJob(taken!.id, "fast", { next: { kind: "done" } }, NOW + 1002);
      expect(await b.nextDueAt()).toBeNull();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe.skipIf(!bin)("PostgreSQL store: waking other instances", () => {
  // Each way a job is stored, as another instance's worker sees it: a NOTIFY sent after the commit,
  // so the job is there to claim when the wake comes.
  const stores: [string, (b: PaymentStore) => Promise<unknown>][] = [
    [
      "a stored webhook",
      (b) => b.recordWebhook(planEvents([event("evt_notify", { purchaseId: null })], NOW), NOW),
    ],
    ["an enqueued job", (b) => b.enqueueJob(guardJob("p-notify", NOW), NOW)],
    [
      "a requested refund",
      (b) =>
        b.requestRefund({
          refund: {
            refundKey: "rq:notify",
            purchaseId: "p-refund",
            provider: "stripe",
            providerPaymentId: "pi_notify",
            amountMinor: 100,
            currency: "EUR",
            note: "test",
            requestedBy: "test",
          },
          paidMinor: 100,
          now: NOW,
          jobs: [refundFor(null, "pi_notify")],
        }),
    ],
  ];
  it.each(stores)(
    "%s on one instance wakes the workers of another at once (NOTIFY)",
    async (_, storeWork) => {
      const { store: a, url } = await freshStore();
      const b = openStore(configFor(url));
      try {
        await b.ping();
        let wakes = 0;
        let claimedOnWake: Promise<JobRecord[]> | null = null;
        const woke = new Promise<void>((resolve) => {
          const stop = a.watchWork!(() => {
            wakes += 1;
            // The first wake comes as the watcher connects (it may have missed work meanwhile).
            if (wakes === 2) {
              claimedOnWake = a.claimJobs({ workerId: "woken", limit: 5, now: NOW + 1, leaseMs: 60_000 });
              stop();
              resolve();
            }
          });
        });
        await new Promise((r) => setTimeout(r, 300));
        expect(wakes).toBe(1);
        await storeWork(b);
        await woke;
        expect(wakes).toBe(2);
        expect((await claimedOnWake!).length).toBeGreaterThan(0);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  );
});

describe.skipIf(!bin)("PostgreSQL store: opening", () => {
  it("migrates once when several instances open a new database together, and refuses a newer schema", async () => {
    const url = await cluster.createDatabase(`t${++n}`);
    const stores = Array.from({ length: 4 }, () => openStore(configFor(url)));
    await Promise.all(stores.map((s) => s.ping()));
    await Promise.all(stores.map((s) => s.close()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT version FROM schema_migrations ORDER BY version`);
      expect(rows.map((r: { version: number }) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
      await client.query(`INSERT INTO schema_migrations VALUES (98, 'index', 'x', true)`);
      const additive = openStore(configFor(url));
      await expect(additive.ping()).resolves.toBeUndefined();
      await additive.close();
      await client.query(`INSERT INTO schema_migrations VALUES (99, 'rename', 'x', false)`);
      const refused = openStore(configFor(url));
      await expect(refused.ping()).rejects.toThrow(/newer than this code/);
      await refused.close();
    } finally {
      await client.end();
    }
  });

  it("keeps working when a newer instance adds columns under its prepared statements (a rolling upgrade)", async () => {
    const url = await cluster.createDatabase(`t${++n}`);
    const pool = 3;
    const store = openStore(configFor(url, { STORE_POOL_SIZE: String(pool) }));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (let i = 0; i < pool * 2; i++) await store.enqueueJob(guardJob(`p-${i}`, NOW), NOW);
      // As many reads, and claims (a transaction ending in `UPDATE … RETURNING *`), as connections at once.
      const everyConnection = () =>
        Promise.all([
          ...Array.from({ length: pool }, (_, i) => store.getPurchase(`p-${i}`).then(() => 0)),
          ...Array.from({ length: pool }, (_, i) =>
            store
              .claimJobs({ workerId: `w${i}`, limit: 1, now: NOW, leaseMs: 1000 })
              .then((jobs) => jobs.length),
          ),
        ]);
      // Every pooled connection has prepared its statements that return `*`. Claims at once may
      // leave each other nothing (SKIP LOCKED), so only their sum is known to be positive.
      const leased = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
      expect(leased(await everyConnection())).toBeGreaterThan(0);
      await client.query(`ALTER TABLE purchase ADD COLUMN added_later TEXT`);
      await client.query(`ALTER TABLE outbox ADD COLUMN added_later TEXT`);
      expect(leased(await everyConnection())).toBeGreaterThan(0);
    } finally {
      await client.end();
      await store.close();
    }
  });

  it("takes the password from PGPASSWORD when the URL has none, and never repeats it in an error", async () => {
    const url = await cluster.createDatabase(`t${++n}`);
    const bare = url.replace(`:${cluster.password}@`, "@");
    const fromEnv = openStore(configFor(bare, { PGPASSWORD: cluster.password }));
    await expect(fromEnv.ping()).resolves.toBeUndefined();
    await fromEnv.close();
    const wrong = openStore(configFor(bare, { PGPASSWORD: "wrong-password-123" }));
    const error = await wrong.ping().then(
      () => null,
      (e: unknown) => e as Error,
    );
    await wrong.close();
    expect(error).toBeInstanceOf(StoreError);
    expect(error!.message).toMatch(/password authentication failed/);
    expect(error!.message).not.toContain("wrong-password-123");
  });
});
