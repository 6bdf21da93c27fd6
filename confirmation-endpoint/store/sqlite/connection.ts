// One SQLite connection (better-sqlite3 v12): WAL, FULL sync (a 2xx promises durability), a busy
// timeout, foreign keys, migrated on open; statements compiled once; every write one BEGIN
// IMMEDIATE transaction that never spans an await. Opening waits long for the lock (migrations
// run once); afterwards the busy timeout is short, since SQLite's wait blocks the event loop and
// the store waits between tries instead (retry-when-busy.ts).

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StaleLeaseError, StoreError, VersionConflictError } from "../../errors";
import { migrate } from "./migrate";

export interface SqliteConnection {
  readonly db: Database.Database;
  /** The statement for `sql`, compiled on first use. */
  prepare(sql: string): Database.Statement;
  /** Run `fn` as one BEGIN IMMEDIATE transaction; a failure becomes a StoreError unless it is a lease or version conflict. */
  write<T>(what: string, fn: () => T): T;
  read<T>(what: string, fn: () => T): T;
  /** Commit a one-value write (the file header's user_version as a heartbeat): proves the file takes writes. */
  heartbeat(): void;
}

/** How long opening (and migrating) waits for another connection's write lock. */
const OPEN_BUSY_TIMEOUT_MS = 5000;

export function openConnection(path: string, busyTimeoutMs: number): SqliteConnection {
  let db: Database.Database;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma(`busy_timeout = ${Math.max(busyTimeoutMs, OPEN_BUSY_TIMEOUT_MS)}`);
    db.pragma("foreign_keys = ON");
    migrate(db);
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  } catch (error) {
    throw new StoreError(
      `Could not open the SQLite store at ${path}: ${(error as Error).message}. Check STORE_URL and the folder's permissions.`,
      error,
    );
  }
  // Compiling on every call cost more than running most of these statements.
  const statements = new Map<string, Database.Statement>();
  // One transaction wrapper for every write (better-sqlite3 builds four functions per wrapper).
  const inTransaction = db.transaction((fn: () => unknown) => fn());
  const connection: SqliteConnection = {
    db,
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    write<T>(what: string, fn: () => T): T {
      try {
        return inTransaction.immediate(fn) as T;
      } catch (error) {
        if (error instanceof StaleLeaseError || error instanceof VersionConflictError) throw error;
        throw new StoreError(`Store could not ${what}: ${(error as Error).message}`, error);
      }
    },
    read(what, fn) {
      try {
        return fn();
      } catch (error) {
        throw new StoreError(`Store could not ${what}: ${(error as Error).message}`, error);
      }
    },
    heartbeat() {
      // The schema version lives in schema_migrations; user_version is free for this counter.
      connection.write("prove it can write", () => {
        const beat = Number(db.pragma("user_version", { simple: true })) || 0;
        db.pragma(`user_version = ${(beat + 1) % 1_000_000}`);
      });
    },
  };
  return connection;
}
