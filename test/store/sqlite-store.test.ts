// The SQLite store: the shared contract, plus what only SQLite has (the file, WAL, migrations
// recorded in the file, a second process holding the write lock).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreError } from "../../confirmation-endpoint/errors";
import { planEvents } from "../../confirmation-endpoint/lifecycle/plan-event";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { openSqliteStore } from "../../confirmation-endpoint/store/sqlite-store";
import { openConnection } from "../../confirmation-endpoint/store/sqlite/connection";
import { isBusy } from "../../confirmation-endpoint/store/sqlite/retry-when-busy";
import { createWebhookWriter } from "../../confirmation-endpoint/store/sqlite/webhooks";
import type { PaymentStore } from "../../confirmation-endpoint/store/types";
import { MIGRATIONS } from "../../confirmation-endpoint/store/migrations";
import { describeStoreContract, event, NOW } from "./store-contract";

const root = mkdtempSync(join(tmpdir(), "sqlite-contract-"));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStoreContract("sqlite", async () =>
  openStore({ kind: "sqlite", path: join(root, `s${++n}.sqlite`) }),
);

describe("SQLite store", () => {
  let dir: string;
  let path: string;
  let store: PaymentStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "store-test-"));
    path = join(dir, "nested", "gateway.sqlite");
    store = openSqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the folder, runs WAL with FULL sync and a busy timeout, records its schema version once", async () => {
    await store.close();
    store = openSqliteStore(path);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT version FROM schema_migrations").all()).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
    db.close();
  });

  it("brings a store of schema version 5 up to date, keeping its events, payments and jobs", async () => {
    await store.close();
    rmSync(path, { force: true });
    const v5 = new Database(path);
    v5.exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    for (const m of MIGRATIONS.filter((m) => m.version <= 5)) {
      v5.exec(m.sql);
      v5.prepare("INSERT INTO schema_migrations VALUES (?, ?, 'x')").run(m.version, m.name);
    }
    // A webhook as the version-5 code stored it: its event, the payment it reported, its job.
    v5.prepare(
      `INSERT INTO webhook_event VALUES ('stripe', 'evt_kept', 'checkout.session.completed', 'paid', 'p1', 'pi_kept', 'cs_kept', 0, 1, 1, 'stored')`,
    ).run();
    v5.prepare(
      `INSERT INTO payment VALUES ('stripe', 'pi_kept', 'p1', 'cs_kept', 2500, 'EUR', 'reported', 1, 1)`,
    ).run();
    v5.prepare(
      `INSERT INTO outbox (dedupe, purchase_id, kind, payload, not_before, created_at, updated_at) VALUES ('payment:stripe:pi_kept', 'p1', 'payment', '{}', 1, 1, 1)`,
    ).run();
    v5.close();
    store = openSqliteStore(path);
    await store.close();

    const db = new Database(path, { readonly: true });
    const sql = (name: string) =>
      (db.prepare("SELECT sql FROM sqlite_schema WHERE name = ?").get(name) as { sql: string } | undefined)
        ?.sql;
    expect(sql("webhook_event")).toContain("WITHOUT ROWID");
    expect(sql("payment")).toContain("WITHOUT ROWID");
    expect(sql("outbox_leased_purchase")).toContain("WHERE locked_until IS NOT NULL");
    expect(sql("outbox_purchase")).toBeUndefined();
    const count = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect([count("webhook_event"), count("payment"), count("outbox")]).toEqual([1, 1, 1]);
    db.close();

    // The same delivery again: still recognised as one already stored.
    store = openSqliteStore(path);
    expect(await store.recordWebhook(planEvents([event("evt_kept")], NOW), NOW)).toEqual({
      stored: 0,
      duplicates: 1,
    });
  });

  it("webhooks committed together: one that cannot be stored fails alone, the others are stored", async () => {
    // A NOT NULL column left empty: SQLite refuses that webhook's row, as it would a full disk's.
    const broken = planEvents([event("evt_broken", { type: null as unknown as string })], NOW);
    const results = await Promise.allSettled([
      store.recordWebhook(planEvents([event("evt_a", { providerPaymentId: "pi_a" })], NOW), NOW),
      store.recordWebhook(broken, NOW),
      store.recordWebhook(planEvents([event("evt_b", { providerPaymentId: "pi_b" })], NOW), NOW),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect((results[0] as PromiseFulfilledResult<unknown>).value).toEqual({ stored: 1, duplicates: 0 });
    expect((results[2] as PromiseFulfilledResult<unknown>).value).toEqual({ stored: 1, duplicates: 0 });
    const jobs = await store.listJobs();
    expect(jobs.map((j) => j.dedupe).sort()).toEqual([
      "payment:stripe:cs_1:pi_a",
      "payment:stripe:cs_1:pi_b",
    ]);
  });

  it("refuses a database from a newer release", async () => {
    await store.close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
    db.close();
    expect(() => openSqliteStore(path)).toThrow(StoreError);
    expect(() => openSqliteStore(path)).toThrow(/newer than this code/);
    store = openSqliteStore(":memory:");
  });

  it("a second writer holding the lock past the busy timeout → StoreError (the webhook answers 5xx), then it works again", async () => {
    await store.close();
    store = openSqliteStore(path, { busyTimeoutMs: 50, busyWaitMs: 200 });
    const other = new Database(path);
    other.prepare("BEGIN IMMEDIATE").run();
    await expect(store.recordWebhook(planEvents([event("evt_busy")], NOW), NOW)).rejects.toBeInstanceOf(
      StoreError,
    );
    other.prepare("ROLLBACK").run();
    other.close();
    expect(
      await store.recordWebhook(planEvents([event("evt_busy", { purchaseId: null })], NOW), NOW),
    ).toEqual({
      stored: 1,
      duplicates: 0,
    });
  });

  it("ping proves the store can write: it fails while another connection holds the write lock", async () => {
    await store.close();
    store = openSqliteStore(path, { busyTimeoutMs: 20, busyWaitMs: 100 });
    await store.ping();
    const other = new Database(path);
    other.prepare("BEGIN IMMEDIATE").run();
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(StoreError);
    } finally {
      other.prepare("ROLLBACK").run();
      other.close();
    }
    await store.ping();
  });

  it("a locked file does not block the event loop: the write waits between short tries and lands once the lock is gone", async () => {
    await store.close();
    store = openSqliteStore(path);
    const other = new Database(path);
    other.prepare("BEGIN IMMEDIATE").run();
    // The lock is let go by a timer: it can only fire if the store leaves the event loop free.
    const release = setTimeout(() => {
      other.prepare("ROLLBACK").run();
      other.close();
    }, 300);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    try {
      const outcome = await store.recordWebhook(
        planEvents([event("evt_locked", { purchaseId: null })], NOW),
        NOW,
      );
      expect(outcome).toEqual({ stored: 1, duplicates: 0 });
    } finally {
      delay.disable();
      clearTimeout(release);
      if (other.open) other.close();
    }
    // The old 5 s busy timeout held the loop for the whole wait; one short try may hold it briefly.
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it("a locked file refuses a batch of webhooks in one try, not one busy timeout per webhook", async () => {
    await store.close();
    const c = openConnection(path, 20);
    let tries = 0;
    const write = c.write;
    c.write = (what, fn) => {
      tries += 1;
      return write(what, fn);
    };
    const recordWebhook = createWebhookWriter(c);
    const deliveries = () =>
      Array.from({ length: 30 }, (_, i) =>
        recordWebhook(planEvents([event(`evt_${i}`, { providerPaymentId: `pi_${i}` })], NOW), NOW),
      );
    const other = new Database(path);
    other.prepare("BEGIN IMMEDIATE").run();
    try {
      const refused = await Promise.allSettled(deliveries());
      expect(refused.filter((r) => r.status === "rejected" && isBusy(r.reason))).toHaveLength(30);
      // Each try blocks the event loop for the busy timeout: one for the batch, none per webhook.
      expect(tries).toBe(1);
    } finally {
      other.prepare("ROLLBACK").run();
      other.close();
    }
    tries = 0;
    const stored = await Promise.all(deliveries());
    expect(stored.every((o) => o.stored === 1)).toBe(true);
    expect(tries).toBe(1);
    c.db.close();
    store = openSqliteStore(":memory:");
  });

  it("the heartbeat behind ping fails on a file that takes no writes", async () => {
    await store.close();
    const c = openConnection(path, 20);
    c.heartbeat();
    c.db.pragma("query_only = ON");
    expect(() => c.heartbeat()).toThrow(StoreError);
    c.db.close();
    store = openSqliteStore(":memory:");
  });
});
