// The SQLite store: the shared contract, plus what only SQLite has (the file, WAL, migrations
// recorded in the file, a second process holding the write lock).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreError } from "../../confirmation-endpoint/errors";
import { planEvents } from "../../confirmation-endpoint/lifecycle/plan-event";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { openSqliteStore } from "../../confirmation-endpoint/store/sqlite-store";
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
    store = openSqliteStore(path, { busyTimeoutMs: 50 });
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
});
