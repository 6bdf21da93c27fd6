// PaymentStore on SQLite (better-sqlite3 v12), the embedded default. The pieces live in sqlite/:
// the connection (WAL, FULL sync, migrations), checkouts, webhooks with group commit and the plans
// they leave (received.ts), the outbox with leases and fencing, and plain reads. This file puts
// them behind the contract, and makes reads of payments and jobs apply the waiting plans first.

import { createReads, readBacklog, reconcileReport, summarise } from "./sqlite/reads";
import {
  abandonCheckoutAttempt,
  beginCheckout,
  getPurchaseRow,
  recordCheckoutSession,
} from "./sqlite/checkouts";
import { openConnection } from "./sqlite/connection";
import { claimJobs, commitJob, enqueue, nextDueAt, renewLease } from "./sqlite/outbox";
import { prune } from "./sqlite/prune";
import { listPurchasesSince, requestRefund, settleRefund } from "./sqlite/requested-refunds";
import { isBusy, retryWhenBusy } from "./sqlite/retry-when-busy";
import { readUserHolds, recordUserHold } from "./sqlite/user-holds";
import { applyPlans, oldestReceivedAt, setPlanAside, waitingPlans } from "./sqlite/received";
import { createWebhookWriter } from "./sqlite/webhooks";
import type { PaymentStore, ReceivedEventsApplied } from "./types";

/**
 * Open (or create) the SQLite file at `path` (":memory:" for a throwaway store) and migrate it.
 * A locked file is waited for up to `busyWaitMs`, in tries of `busyTimeoutMs` that leave the event
 * loop free in between.
 */
export function openSqliteStore(
  path: string,
  options: { busyTimeoutMs?: number; busyWaitMs?: number } = {},
): PaymentStore {
  const c = openConnection(path, options.busyTimeoutMs ?? 100);
  const recordWebhook = createWebhookWriter(c);
  const reads = createReads(c);

  /**
   * Make the payments and jobs of received webhook events; most calls find none (a read, no lock).
   * A batch blocks the event loop while it runs (about 5 ms for 100 on a 2-core VM): webhooks
   * arriving meanwhile wait, so batches stay small.
   */
  function applyReceivedEvents(limit = 100): ReceivedEventsApplied {
    if (c.read("look for received webhook events", () => oldestReceivedAt(c)) === null)
      return { applied: 0, purchaseIds: [] };
    // A batch lost to a power cut leaves its plans in place, to be applied again: no flush of its own.
    const what = "apply received webhook events";
    try {
      return c.writeRedoable(what, () => applyPlans(c, waitingPlans(c, limit)));
    } catch (error) {
      if (isBusy(error)) throw error;
    }
    // The batch failed as a whole: each plan on its own, and one that fails is set aside.
    const applied: ReceivedEventsApplied = { applied: 0, purchaseIds: [] };
    for (const row of c.read(what, () => waitingPlans(c, limit))) {
      try {
        const one = c.writeRedoable(what, () => applyPlans(c, [row]));
        applied.applied += 1;
        applied.purchaseIds.push(...one.purchaseIds);
      } catch (error) {
        if (isBusy(error)) throw error;
        c.write("set a webhook's plan aside", () => setPlanAside(c, row, error, Date.now()));
      }
    }
    return applied;
  }

  /**
   * Payments and jobs are read as if each webhook had written them itself: received events are
   * applied first. A file locked by another writer is waited for (retryWhenBusy), as any write:
   * a read without a waiting payment could let checkout open a second page for a paid purchase.
   */
  function afterApplying<A extends unknown[], R>(read: (...args: A) => Promise<R>) {
    return async (...args: A): Promise<R> => {
      // Between batches the event loop runs (webhooks keep being acknowledged).
      while (applyReceivedEvents().applied > 0) await new Promise(setImmediate);
      return read(...args);
    };
  }

  const store: PaymentStore = {
    ...reads,
    getPayment: afterApplying(reads.getPayment),
    listPayments: afterApplying(reads.listPayments),
    listJobs: afterApplying(reads.listJobs),
    async ping() {
      c.heartbeat();
    },
    async getPurchase(purchaseId) {
      return c.read("read a purchase", () => getPurchaseRow(c, purchaseId));
    },
    async beginCheckout(input) {
      return c.write("start a checkout", () => beginCheckout(c, input));
    },
    async abandonCheckoutAttempt(purchaseId, attempt) {
      c.write("abandon a checkout attempt", () => abandonCheckoutAttempt(c, purchaseId, attempt));
    },
    async recordCheckoutSession(input) {
      c.write("record a checkout session", () => recordCheckoutSession(c, input));
    },
    recordWebhook,
    async applyReceivedEvents(limit) {
      return applyReceivedEvents(limit);
    },
    async enqueueJob(job, now) {
      c.write("enqueue a job", () => enqueue(c, job, now));
    },
    async claimJobs(input) {
      return c.write("claim jobs", () => claimJobs(c, input));
    },
    async renewLease(jobId, workerId, until, now) {
      c.write("renew a lease", () => renewLease(c, jobId, workerId, until, now));
    },
    async commitJob(jobId, workerId, effects, now) {
      c.write("commit a job step", () => commitJob(c, jobId, workerId, effects, now));
    },
    async nextDueAt(lane) {
      return c.read("find the next due job", () => {
        // A received event not applied yet is work due now: applying it makes its jobs.
        const received = oldestReceivedAt(c);
        const job = nextDueAt(c, lane);
        return received === null ? job : Math.min(received, job ?? received);
      });
    },
    reconcileReport: afterApplying(async () =>
      c.read("build the reconciliation report", () => reconcileReport(c)),
    ),
    async requestRefund(input) {
      return c.write("record a requested refund", () => requestRefund(c, input));
    },
    async settleRefund(input) {
      return c.write("settle a requested refund", () => settleRefund(c, input));
    },
    async listPurchasesSince(since) {
      return c.read("list purchases of a period", () => listPurchasesSince(c, since));
    },
    async prune(before) {
      // In the same transaction: a purchase whose payment is still a plan must not look settled.
      return c.write("prune old rows", () => {
        while (applyPlans(c, waitingPlans(c, 1000)).applied > 0);
        return prune(c, before);
      });
    },
    summary: afterApplying(async () => c.read("summarise the store", () => summarise(c))),
    async backlog(now) {
      return c.read("read the backlog", () => readBacklog(c, now));
    },
    async recordUserHold(hold, now) {
      c.write("record a Dataverse throttling hold", () => recordUserHold(c, hold, now));
    },
    async readUserHolds(userKeys) {
      return c.read("read the Dataverse throttling holds", () => readUserHolds(c, userKeys));
    },
    async close() {
      if (c.db.open) c.db.close();
    },
  };
  return retryWhenBusy(store, { waitMs: options.busyWaitMs ?? 5000, pauseMs: 50 });
}
