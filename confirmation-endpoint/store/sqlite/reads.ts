// Plain reads of the SQLite store: records for the routes, the worker and the commands, the
// reconciliation report and the summary. No transaction: each is one statement.

import type { PaymentStore, ReconcileReport, StoreBacklog, StoreSummary } from "../types";
import type { SqliteConnection } from "./connection";
import { toCheckout, toDeadLetter, toJob, toPayment, toPurchase, toRefund } from "../rows";
import type { Row } from "../rows";

type Reads = Pick<
  PaymentStore,
  "listCheckouts" | "getPayment" | "listPayments" | "listRefunds" | "listDeadLetters" | "listJobs"
>;

export function createReads(c: SqliteConnection): Reads {
  const all = (sql: string, ...params: unknown[]) => c.prepare(sql).all(...params) as Row[];
  return {
    async listCheckouts(purchaseId) {
      return c.read("list checkouts", () =>
        all(`SELECT * FROM checkout WHERE purchase_id = ? ORDER BY attempt`, purchaseId).map(toCheckout),
      );
    },
    async getPayment(provider, providerPaymentId) {
      return c.read("read a payment", () => {
        const row = c
          .prepare(`SELECT * FROM payment WHERE provider = ? AND provider_payment_id = ?`)
          .get(provider, providerPaymentId) as Row | undefined;
        return row ? toPayment(row) : null;
      });
    },
    async listPayments(purchaseId) {
      return c.read("list payments", () =>
        all(
          `SELECT * FROM payment WHERE purchase_id = ? ORDER BY created_at, provider_payment_id`,
          purchaseId,
        ).map(toPayment),
      );
    },
    async listRefunds(purchaseId) {
      return c.read("list refunds", () =>
        (purchaseId === undefined
          ? all(`SELECT * FROM refund ORDER BY created_at`)
          : all(`SELECT * FROM refund WHERE purchase_id = ? ORDER BY created_at`, purchaseId)
        ).map(toRefund),
      );
    },
    async listDeadLetters() {
      return c.read("list dead letters", () =>
        all(`SELECT * FROM dead_letter ORDER BY id`).map(toDeadLetter),
      );
    },
    async listJobs() {
      return c.read("list jobs", () => all(`SELECT * FROM outbox ORDER BY id`).map(toJob));
    },
  };
}

export function reconcileReport(c: SqliteConnection): ReconcileReport {
  const all = (sql: string) => c.prepare(sql).all() as Row[];
  return {
    paidNotFinalized: all(
      `SELECT * FROM purchase WHERE state IN ('paid', 'finalizing') ORDER BY deadline_at`,
    ).map(toPurchase),
    settledElsewhere: all(`SELECT * FROM payment WHERE state = 'settled' ORDER BY created_at`).map(toPayment),
    refundsOpen: all(
      `SELECT * FROM refund WHERE state IN ('requested', 'pending', 'failed') ORDER BY created_at`,
    ).map(toRefund),
    deadLetters: all(`SELECT * FROM dead_letter WHERE resolved_at IS NULL ORDER BY id`).map(toDeadLetter),
  };
}

export function summarise(c: SqliteConnection): StoreSummary {
  const one = (sql: string) => c.prepare(sql).get() as Row;
  const purchasesByState: StoreSummary["purchasesByState"] = {};
  for (const row of c.prepare(`SELECT state, count(*) AS n FROM purchase GROUP BY state`).all() as Row[]) {
    purchasesByState[row.state as keyof StoreSummary["purchasesByState"]] = row.n as number;
  }
  const jobs = one(`SELECT count(*) AS n, min(not_before) AS oldest FROM outbox WHERE state = 'pending'`);
  return {
    purchasesByState,
    minFinalizedSlackMs:
      (one(`SELECT min(deadline_at - updated_at) AS s FROM purchase WHERE state = 'finalized'`).s as
        number | null) ?? null,
    refunds: one(`SELECT count(*) AS n FROM refund`).n as number,
    deadLetters: one(`SELECT count(*) AS n FROM dead_letter`).n as number,
    webhookEvents: one(`SELECT count(*) AS n FROM webhook_event`).n as number,
    pendingJobs: jobs.n as number,
    oldestPendingJobAt: (jobs.oldest as number | null) ?? null,
  };
}

export function readBacklog(c: SqliteConnection, now: number): StoreBacklog {
  const one = (sql: string, ...params: unknown[]) => c.prepare(sql).get(...params) as Row;
  const jobs = one(
    `SELECT count(*) AS n, min(not_before) AS oldest FROM outbox WHERE state = 'pending' AND not_before <= ?`,
    now,
  );
  const paid = one(
    `SELECT count(*) AS n, min(deadline_at) AS nearest FROM purchase WHERE state IN ('paid', 'finalizing')`,
  );
  const refunds = one(
    `SELECT count(*) FILTER (WHERE state IN ('requested', 'pending')) AS open,
            count(*) FILTER (WHERE state = 'failed') AS failed
       FROM refund WHERE state IN ('requested', 'pending', 'failed')`,
  );
  return {
    dueJobs: jobs.n as number,
    oldestDueJobAt: (jobs.oldest as number | null) ?? null,
    awaitingFinalize: paid.n as number,
    nearestDeadlineAt: (paid.nearest as number | null) ?? null,
    refundsPending: refunds.open as number,
    refundsFailed: refunds.failed as number,
    openDeadLetters: one(`SELECT count(*) AS n FROM dead_letter WHERE resolved_at IS NULL`).n as number,
  };
}
