// Runs the PostgreSQL migrations once each, in order, under an advisory lock so instances starting
// together do not race; each migration and its schema_migrations row commit together (DDL is
// transactional here). A database newer than this code is refused unless every newer migration is
// additive (older code keeps running during a rolling deploy).

import type { PoolClient } from "pg";
import { PG_MIGRATIONS } from "./migrations";

/** Arbitrary constant naming the kit's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 7_150_015;

export interface MigrateResult {
  applied: number[];
  /** Schema version after the run. */
  version: number;
}

export async function migrate(client: PoolClient): Promise<MigrateResult> {
  await client.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
  try {
    // Inside the lock: two instances creating the table at once would collide on its type name.
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
         applied_at TEXT NOT NULL, additive BOOLEAN NOT NULL DEFAULT false)`,
    );
    const rows = (await client.query(`SELECT version, additive FROM schema_migrations`)).rows as Array<{
      version: number;
      additive: boolean;
    }>;
    const known = Math.max(0, ...PG_MIGRATIONS.map((m) => m.version));
    const unknown = rows.filter((r) => r.version > known);
    if (unknown.some((r) => !r.additive)) {
      const newest = Math.max(...unknown.map((r) => r.version));
      throw new Error(
        `the database is at schema version ${newest}, newer than this code (${known}); run the newer release or restore a backup`,
      );
    }
    const applied: number[] = [];
    const done = new Set(rows.map((r) => r.version));
    for (const m of PG_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO schema_migrations (version, name, applied_at, additive) VALUES ($1, $2, $3, $4)`,
          [m.version, m.name, new Date().toISOString(), m.additive],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      applied.push(m.version);
    }
    return { applied, version: Math.max(known, ...rows.map((r) => r.version)) };
  } finally {
    await client.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]);
  }
}
