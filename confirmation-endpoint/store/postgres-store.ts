// PaymentStore on PostgreSQL (node-postgres), for several endpoint instances on one database. The
// pieces live in postgres/: the pool and migrations, checkouts, webhooks (one statement each), the
// outbox (SKIP LOCKED claims, per-purchase advisory locks, fencing in SQL), the NOTIFY that follows
// a commit that stored jobs, and plain reads. This file only puts them behind the contract.

import type { PostgresStoreConfig } from "./store-url";
import {
  abandonCheckoutAttempt,
  beginCheckout,
  getPurchaseRow,
  recordCheckoutSession,
} from "./postgres/checkouts";
import { createWorkAnnouncer } from "./postgres/announce-work";
import { openPgConnection } from "./postgres/connection";
import { ENQUEUE, RENEW_LEASE, claimJobs, commitJob, enqueueParams, nextDueAt } from "./postgres/outbox";
import { prune } from "./postgres/prune";
import { listPurchasesSince, requestRefund, settleRefund } from "./postgres/requested-refunds";
import { createReads, readBacklog, reconcileReport, summarise } from "./postgres/reads";
import { readUserHolds, recordUserHold } from "./postgres/user-holds";
import { createWorkWatcher } from "./postgres/watch-work";
import { storeEvents } from "./postgres/webhooks";
import type { PaymentStore } from "./types";
import { StaleLeaseError } from "../errors";

/** Open a pool on the database; the schema is migrated before the first statement runs. */
export function openPostgresStore(config: PostgresStoreConfig): PaymentStore {
  const c = openPgConnection(config);
  const watcher = createWorkWatcher(() => c.newClient());
  // Stored jobs are announced once their transaction has committed (announce-work.ts).
  const announcer = createWorkAnnouncer(c);
  const announceJobs = (jobs: readonly unknown[] | undefined) => {
    if (jobs && jobs.length > 0) announcer.announce();
  };
  return {
    ...createReads(c),
    async ping() {
      // A transaction id is only handed out where the database takes writes (not on a read-only one).
      await c.write("answer a ping", (sql) => sql("SELECT txid_current()"));
    },
    async getPurchase(purchaseId) {
      return c.read("read a purchase", (sql) => getPurchaseRow(sql, purchaseId));
    },
    async beginCheckout(input) {
      return c.write("start a checkout", (sql) => beginCheckout(sql, input));
    },
    async abandonCheckoutAttempt(purchaseId, attempt) {
      await c.write("abandon a checkout attempt", (sql) => abandonCheckoutAttempt(sql, purchaseId, attempt));
    },
    async recordCheckoutSession(input) {
      await c.write("record a checkout session", (sql) => recordCheckoutSession(sql, input));
    },
    async recordWebhook(planned, now) {
      return storeEvents(c, planned, now, announcer.announce);
    },
    async enqueueJob(job, now) {
      await c.writeStatement("enqueue a job", ENQUEUE, enqueueParams(job, now));
      announcer.announce();
    },
    async claimJobs(input) {
      return c.write("claim jobs", (sql) => claimJobs(sql, input));
    },
    async renewLease(jobId, workerId, until, now) {
      const renewed = await c.writeStatement("renew a lease", RENEW_LEASE, [jobId, workerId, now, until]);
      if (renewed.length !== 1) throw new StaleLeaseError(jobId, workerId);
    },
    async commitJob(jobId, workerId, effects, now) {
      await c.write("commit a job step", (sql) => commitJob(sql, jobId, workerId, effects, now));
    },
    async nextDueAt(lane) {
      return c.read("find the next due job", (sql) => nextDueAt(sql, lane));
    },
    async reconcileReport() {
      return c.read("build the reconciliation report", (sql) => reconcileReport(sql));
    },
    async requestRefund(input) {
      const result = await c.write("record a requested refund", (sql) => requestRefund(sql, input));
      if (result.kind === "created") announceJobs(input.jobs);
      return result;
    },
    async settleRefund(input) {
      const settled = await c.write("settle a requested refund", (sql) => settleRefund(sql, input));
      if (settled) announceJobs(input.jobs);
      return settled;
    },
    async listPurchasesSince(since) {
      return c.read("list purchases of a period", (sql) => listPurchasesSince(sql, since));
    },
    async prune(before) {
      return c.write("prune old rows", (sql) => prune(sql, before));
    },
    async summary() {
      return c.read("summarise the store", (sql) => summarise(sql));
    },
    async backlog(now) {
      return c.read("read the backlog", (sql) => readBacklog(sql, now));
    },
    async recordUserHold(hold, now) {
      await c.write("record a Dataverse throttling hold", (sql) => recordUserHold(sql, hold, now));
    },
    async readUserHolds(userKeys) {
      return c.read("read the Dataverse throttling holds", (sql) => readUserHolds(sql, userKeys));
    },
    watchWork: (wake) => watcher.watch(wake),
    async close() {
      await watcher.close();
      await announcer.idle();
      await c.close();
    },
  };
}
