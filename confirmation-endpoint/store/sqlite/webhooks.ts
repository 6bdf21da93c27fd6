// Webhooks on SQLite, with group commit: webhooks that arrive in the same turn of the event loop
// share one transaction, so one fsync acknowledges them all (a burst of hundreds per second would
// otherwise queue behind one fsync each). Should that transaction fail, nothing of it is kept and
// each webhook is tried again in a transaction of its own, so a failure is only its own; unless
// another connection holds the write lock, which would refuse every one of them in turn.

import type { PlannedEvent } from "../../lifecycle/plan-event";
import type { WebhookOutcome } from "../types";
import type { SqliteConnection } from "./connection";
import { enqueue } from "./outbox";
import { isBusy } from "./retry-when-busy";

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

  /** The batch in one transaction; what it failed with when it failed as a whole (nothing of it was kept). */
  function storeTogether(batch: Pending[]): WebhookOutcome[] | { failed: unknown } {
    try {
      return c.write("store webhooks", () => batch.map((item) => storeEvents(c, item.planned, item.now)));
    } catch (error) {
      return { failed: error };
    }
  }

  function flush(): void {
    const batch = pending;
    pending = [];
    if (batch.length > 1) {
      const together = storeTogether(batch);
      if (Array.isArray(together)) {
        batch.forEach((item, i) => item.resolve(together[i]!));
        return;
      }
      if (isBusy(together.failed)) return refuseAll(batch, together.failed);
    }
    // Alone, or after the batch failed: each webhook in its own transaction, so one that cannot be
    // stored (a full disk, a bad row) fails only its own delivery.
    for (const [i, item] of batch.entries()) {
      try {
        item.resolve(c.write("store a webhook", () => storeEvents(c, item.planned, item.now)));
      } catch (error) {
        if (isBusy(error)) return refuseAll(batch.slice(i), error);
        item.reject(error);
      }
    }
  }

  /**
   * Another connection holds the write lock. Each try waits the busy timeout with the event loop
   * blocked, so the webhooks are not tried one by one: all are refused at once, and the store's busy
   * retry tries them again after a pause (retry-when-busy.ts), when they meet in one batch again.
   */
  function refuseAll(items: Pending[], error: unknown): void {
    for (const item of items) item.reject(error);
  }

  return (planned, now) =>
    new Promise((resolve, reject) => {
      pending.push({ planned, now, resolve, reject });
      if (pending.length === 1) setImmediate(flush);
    });
}
