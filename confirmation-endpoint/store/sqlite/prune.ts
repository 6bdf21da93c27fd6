// Retention on SQLite: rows older than the cutoff that nothing can need again. Webhook events (their
// dedupe window is far shorter than any retention), finished jobs, resolved dead letters, and
// purchases that ended with no money outstanding, with their checkouts, payments and refunds. A
// purchase paid but not finalized, a refund not settled, or a job still pending is never touched.

import type { PruneResult } from "../types";
import type { SqliteConnection } from "./connection";

/** Purchases in an end state, untouched since the cutoff, with no open refund and no pending job. */
const SETTLED_PURCHASES = `
  SELECT p.purchase_id FROM purchase p
  WHERE p.state IN ('finalized', 'refunded', 'expired') AND p.updated_at < @before
    AND NOT EXISTS (SELECT 1 FROM refund r WHERE r.purchase_id = p.purchase_id AND r.state <> 'succeeded')
    AND p.purchase_id NOT IN (SELECT o.purchase_id FROM outbox o WHERE o.state = 'pending' AND o.purchase_id IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM payment y WHERE y.purchase_id = p.purchase_id AND y.state IN ('reported', 'refunding', 'refund_failed'))`;

export function prune(c: SqliteConnection, before: number): PruneResult {
  const params = { before };
  const webhookEvents = c
    .prepare(`DELETE FROM webhook_event WHERE received_at < @before`)
    .run(params).changes;
  const ids = (c.prepare(SETTLED_PURCHASES).all(params) as Array<{ purchase_id: string }>).map(
    (r) => r.purchase_id,
  );
  // Jobs are not indexed by purchase (only leased ones are): one pass over the outbox for them all.
  if (ids.length > 0) {
    c.prepare(`DELETE FROM outbox WHERE purchase_id IN (SELECT value FROM json_each(?))`).run(
      JSON.stringify(ids),
    );
  }
  for (const id of ids) {
    for (const table of ["checkout", "payment", "refund"]) {
      c.prepare(`DELETE FROM ${table} WHERE purchase_id = ?`).run(id);
    }
    c.prepare(`DELETE FROM purchase WHERE purchase_id = ?`).run(id);
  }
  const jobs = c
    .prepare(`DELETE FROM outbox WHERE state = 'done' AND updated_at < @before`)
    .run(params).changes;
  const deadLetters = c
    .prepare(`DELETE FROM dead_letter WHERE resolved_at IS NOT NULL AND resolved_at < @before`)
    .run(params).changes;
  return { webhookEvents, jobs, purchases: ids.length, deadLetters };
}
