// PaymentStore on SQLite (better-sqlite3 v12), the embedded default. The pieces live in sqlite/:
// the connection (WAL, FULL sync, migrations), checkouts, webhooks with group commit, the outbox
// with leases and fencing, and plain reads. This file only puts them behind the contract.

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
import { retryWhenBusy } from "./sqlite/retry-when-busy";
import { readUserHolds, recordUserHold } from "./sqlite/user-holds";
import { createWebhookWriter } from "./sqlite/webhooks";
import type { PaymentStore } from "./types";

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
  const store: PaymentStore = {
    ...createReads(c),
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
      return c.read("find the next due job", () => nextDueAt(c, lane));
    },
    async reconcileReport() {
      return c.read("build the reconciliation report", () => reconcileReport(c));
    },
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
      return c.write("prune old rows", () => prune(c, before));
    },
    async summary() {
      return c.read("summarise the store", () => summarise(c));
    },
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
