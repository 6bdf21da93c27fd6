// The second half of a webhook on SQLite: the rows its commit appended to received_event (what each
// new event leads to) become the reported payment and the jobs, in arrival order, a batch per
// transaction, and leave the table in the same transaction. The worker runs this before it claims,
// so the jobs it makes are claimable at once; so does any read of payments or jobs (sqlite-store.ts).
// Each plan is applied as the webhook's own commit would have, at its time: a payment already there
// is kept, a job with the same dedupe key is re-armed, and both carry the time the event arrived.

import type { PlannedEvent } from "../../lifecycle/plan-event";
import type { ReceivedEventsApplied } from "../types";
import type { SqliteConnection } from "./connection";
import { enqueue } from "./outbox";
import type { Row } from "../rows";

type ReceivedPlan = Pick<PlannedEvent, "reportedPayment" | "jobs">;

export function applyReceived(c: SqliteConnection, limit: number): ReceivedEventsApplied {
  const rows = c
    .prepare(`SELECT id, plan, received_at FROM received_event ORDER BY id LIMIT ?`)
    .all(limit) as Row[];
  const purchaseIds = new Set<string>();
  for (const row of rows) {
    const { reportedPayment: payment, jobs } = JSON.parse(row.plan as string) as ReceivedPlan;
    if (payment) {
      c.prepare(
        `INSERT INTO payment (provider, provider_payment_id, purchase_id, provider_session_id, amount_minor, currency, state, created_at, updated_at)
         VALUES (@provider, @providerPaymentId, @purchaseId, @providerSessionId, @amountMinor, @currency, 'reported', @at, @at)
         ON CONFLICT DO NOTHING`,
      ).run({ ...payment, at: row.received_at });
      if (payment.purchaseId) purchaseIds.add(payment.purchaseId);
    }
    for (const job of jobs) enqueue(c, job, row.received_at as number);
  }
  if (rows.length > 0) c.prepare(`DELETE FROM received_event WHERE id <= ?`).run(rows[rows.length - 1]!.id);
  return { applied: rows.length, purchaseIds: [...purchaseIds] };
}

/** When the oldest row waiting was received; null when none waits. */
export function oldestReceivedAt(c: SqliteConnection): number | null {
  const row = c.prepare(`SELECT received_at FROM received_event ORDER BY id LIMIT 1`).get() as
    Row | undefined;
  return (row?.received_at as number | undefined) ?? null;
}
