// Retention on PostgreSQL, the same rule as SQLite's (../sqlite/prune.ts): only what is old and
// settled goes; never money outstanding or a pending job.

import type { PruneResult } from "../types";
import type { Sql } from "./connection";

const SETTLED_PURCHASES = `
  SELECT p.purchase_id FROM purchase p
  WHERE p.state IN ('finalized', 'refunded', 'expired') AND p.updated_at < $1
    AND NOT EXISTS (SELECT 1 FROM refund r WHERE r.purchase_id = p.purchase_id AND r.state <> 'succeeded')
    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.purchase_id = p.purchase_id AND o.state = 'pending')
    AND NOT EXISTS (SELECT 1 FROM payment y WHERE y.purchase_id = p.purchase_id AND y.state IN ('reported', 'refunding', 'refund_failed'))
  FOR UPDATE SKIP LOCKED`;

export async function prune(sql: Sql, before: number): Promise<PruneResult> {
  const webhookEvents = (await sql(`DELETE FROM webhook_event WHERE received_at < $1`, [before])).rowCount;
  const ids = (await sql(SETTLED_PURCHASES, [before])).rows.map((r) => r.purchase_id as string);
  if (ids.length > 0) {
    for (const table of ["checkout", "payment", "refund", "outbox"]) {
      await sql(`DELETE FROM ${table} WHERE purchase_id = ANY($1)`, [ids]);
    }
    await sql(`DELETE FROM purchase WHERE purchase_id = ANY($1)`, [ids]);
  }
  const jobs = (await sql(`DELETE FROM outbox WHERE state = 'done' AND updated_at < $1`, [before])).rowCount;
  const deadLetters = (
    await sql(`DELETE FROM dead_letter WHERE resolved_at IS NOT NULL AND resolved_at < $1`, [before])
  ).rowCount;
  return { webhookEvents, jobs, purchases: ids.length, deadLetters };
}
