// The second half of a webhook on SQLite: the rows its commit appended to received_event (what each
// new event leads to) become the reported payment and the jobs, in arrival order, a batch per
// transaction, and leave the table in the same transaction. The worker runs this before it claims,
// so the jobs it makes are claimable at once; so do the store's reads of payments and jobs, and
// retention (sqlite-store.ts). Each plan is applied as the webhook's own commit would have, at its
// time: a payment already there is kept, a job with the same dedupe key is re-armed, and both carry
// the time the event arrived.

import type { PlannedEvent } from "../../lifecycle/plan-event";
import type { ReceivedEventsApplied } from "../types";
import type { SqliteConnection } from "./connection";
import { addDeadLetter, enqueue } from "./outbox";
import type { Row } from "../rows";

type ReceivedPlan = Pick<PlannedEvent, "reportedPayment" | "jobs">;

/** The oldest `limit` plans waiting. */
export function waitingPlans(c: SqliteConnection, limit: number): Row[] {
  return c
    .prepare(`SELECT id, plan, received_at FROM received_event ORDER BY id LIMIT ?`)
    .all(limit) as Row[];
}

/** Apply `rows` (waiting plans, oldest first) and delete them; call inside a write transaction. */
export function applyPlans(c: SqliteConnection, rows: Row[]): ReceivedEventsApplied {
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
    c.prepare(`DELETE FROM received_event WHERE id = ?`).run(row.id);
  }
  return { applied: rows.length, purchaseIds: [...purchaseIds] };
}

/**
 * A plan that cannot be applied leaves the queue for a dead letter that carries it (ids and
 * amounts, no secrets), so one bad row does not hold up every purchase behind it.
 */
export function setPlanAside(c: SqliteConnection, row: Row, error: unknown, now: number): void {
  addDeadLetter(
    c,
    {
      purchaseId: null,
      kind: "received_event",
      reason: "a stored webhook's plan could not be applied",
      detail: `${(error as Error).message}; plan: ${String(row.plan)}`,
    },
    now,
  );
  c.prepare(`DELETE FROM received_event WHERE id = ?`).run(row.id);
}

/** When the oldest row waiting was received; null when none waits. */
export function oldestReceivedAt(c: SqliteConnection): number | null {
  const row = c.prepare(`SELECT received_at FROM received_event ORDER BY id LIMIT 1`).get() as
    Row | undefined;
  return (row?.received_at as number | undefined) ?? null;
}
