// Dataverse throttling holds on PostgreSQL: one row per application user whose end only moves
// later, whichever instance writes first (the upsert compares in the row's lock).

import type { UserHold } from "../types";
import type { Sql } from "./connection";

export async function recordUserHold(sql: Sql, hold: UserHold, now: number): Promise<void> {
  await sql(
    `INSERT INTO dataverse_user_hold (user_key, held_until, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (user_key) DO UPDATE SET held_until = EXCLUDED.held_until, updated_at = EXCLUDED.updated_at
     WHERE EXCLUDED.held_until > dataverse_user_hold.held_until`,
    [hold.userKey, hold.heldUntil, now],
  );
}

export async function readUserHolds(sql: Sql, userKeys: readonly string[]): Promise<UserHold[]> {
  if (userKeys.length === 0) return [];
  const { rows } = await sql(
    `SELECT user_key, held_until FROM dataverse_user_hold WHERE user_key = ANY($1)`,
    [[...new Set(userKeys)]],
  );
  return rows.map((r) => ({ userKey: r.user_key as string, heldUntil: r.held_until as number }));
}
