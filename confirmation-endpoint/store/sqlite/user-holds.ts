// Dataverse throttling holds on SQLite: one row per application user whose end only moves later.

import type { UserHold } from "../types";
import type { SqliteConnection } from "./connection";

export function recordUserHold(c: SqliteConnection, hold: UserHold, now: number): void {
  c.prepare(
    `INSERT INTO dataverse_user_hold (user_key, held_until, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (user_key) DO UPDATE SET held_until = excluded.held_until, updated_at = excluded.updated_at
     WHERE excluded.held_until > dataverse_user_hold.held_until`,
  ).run(hold.userKey, hold.heldUntil, now);
}

export function readUserHolds(c: SqliteConnection, userKeys: readonly string[]): UserHold[] {
  const read = c.prepare(`SELECT held_until FROM dataverse_user_hold WHERE user_key = ?`);
  const holds: UserHold[] = [];
  for (const userKey of new Set(userKeys)) {
    const row = read.get(userKey) as { held_until: number } | undefined;
    if (row) holds.push({ userKey, heldUntil: row.held_until });
  }
  return holds;
}
