// Webhooks on PostgreSQL: each call is one transaction holding its events, their reported payments
// and their jobs, and a NOTIFY that wakes the workers of every instance once it commits. The same
// event sent to two instances at once is stored once: the second insert waits on the first one's
// key and then finds it taken.

import type { PlannedEvent } from "../../lifecycle/plan-event";
import type { WebhookOutcome } from "../types";
import type { Sql } from "./connection";
import { announceWork, enqueue } from "./outbox";

export async function storeEvents(sql: Sql, planned: PlannedEvent[], now: number): Promise<WebhookOutcome> {
  let stored = 0;
  let duplicates = 0;
  let jobsStored = 0;
  for (const { event: e, reportedPayment, jobs } of planned) {
    const inserted = await sql(
      `INSERT INTO webhook_event (provider, dedupe_key, type, signal, purchase_id, provider_payment_id, provider_session_id, live, occurred_at, received_at, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'stored') ON CONFLICT DO NOTHING`,
      [
        e.provider,
        e.dedupeKey,
        e.type,
        e.signal,
        e.purchaseId,
        e.providerPaymentId,
        e.providerSessionId,
        e.live ? 1 : 0,
        e.occurredAt.getTime(),
        now,
      ],
    );
    if (inserted.rowCount === 0) {
      duplicates += 1;
      continue;
    }
    stored += 1;
    if (reportedPayment) {
      const r = reportedPayment;
      await sql(
        `INSERT INTO payment (provider, provider_payment_id, purchase_id, provider_session_id, amount_minor, currency, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'reported', $7, $7) ON CONFLICT DO NOTHING`,
        [r.provider, r.providerPaymentId, r.purchaseId, r.providerSessionId, r.amountMinor, r.currency, now],
      );
    }
    for (const job of jobs) await enqueue(sql, job, now);
    jobsStored += jobs.length;
  }
  if (jobsStored > 0) await announceWork(sql);
  return { stored, duplicates };
}
