// Webhooks on SQLite, with group commit: webhooks that arrive in the same turn of the event loop
// share one transaction, so one fsync acknowledges them all (a burst of hundreds per second would
// otherwise queue behind one fsync each). Each webhook has its own savepoint: a failure undoes
// that one only.

import type { PlannedEvent } from "../../lifecycle/plan-event";
import { StoreError } from "../../errors";
import type { WebhookOutcome } from "../types";
import type { SqliteConnection } from "./connection";
import { enqueue } from "./outbox";

function storeEvents(c: SqliteConnection, planned: PlannedEvent[], now: number): WebhookOutcome {
  let stored = 0;
  let duplicates = 0;
  for (const { event: e, reportedPayment, jobs } of planned) {
    const inserted = c
      .prepare(
        `INSERT INTO webhook_event (provider, dedupe_key, type, signal, purchase_id, provider_payment_id, provider_session_id, live, occurred_at, received_at, outcome)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'stored') ON CONFLICT DO NOTHING`,
      )
      .run(
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
      );
    if (inserted.changes === 0) {
      duplicates += 1;
      continue;
    }
    stored += 1;
    if (reportedPayment) {
      c.prepare(
        `INSERT INTO payment (provider, provider_payment_id, purchase_id, provider_session_id, amount_minor, currency, state, created_at, updated_at)
         VALUES (@provider, @providerPaymentId, @purchaseId, @providerSessionId, @amountMinor, @currency, 'reported', @now, @now)
         ON CONFLICT DO NOTHING`,
      ).run({ ...reportedPayment, now });
    }
    for (const job of jobs) enqueue(c, job, now);
  }
  return { stored, duplicates };
}

interface Pending {
  planned: PlannedEvent[];
  now: number;
  resolve: (outcome: WebhookOutcome) => void;
  reject: (error: unknown) => void;
}

export function createWebhookWriter(
  c: SqliteConnection,
): (planned: PlannedEvent[], now: number) => Promise<WebhookOutcome> {
  let pending: Pending[] = [];
  // Each webhook in its own savepoint inside the batch's transaction; made once, not per webhook.
  const storeOne = c.db.transaction((planned: PlannedEvent[], now: number) => storeEvents(c, planned, now));

  function flush(): void {
    const batch = pending;
    pending = [];
    const results: Array<{ ok: WebhookOutcome } | { error: unknown }> = [];
    try {
      c.write("store webhooks", () => {
        for (const item of batch) {
          try {
            results.push({ ok: storeOne(item.planned, item.now) });
          } catch (error) {
            results.push({
              error: new StoreError(`Store could not store a webhook: ${(error as Error).message}`, error),
            });
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const result = results[i];
      if (result && "ok" in result) item.resolve(result.ok);
      else item.reject(result?.error ?? new StoreError("Store could not store a webhook: no result", null));
    });
  }

  return (planned, now) =>
    new Promise((resolve, reject) => {
      pending.push({ planned, now, resolve, reject });
      if (pending.length === 1) setImmediate(flush);
    });
}
