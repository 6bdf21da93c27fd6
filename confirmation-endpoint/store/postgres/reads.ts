// Plain reads of the PostgreSQL store (one statement each, no transaction): records for the routes,
// the worker and the commands, the reconciliation report and the summary.

import { toCheckout, toDeadLetter, toJob, toPayment, toPurchase, toRefund } from "../rows";
import type { PaymentStore, ReconcileReport, StoreBacklog, StoreSummary } from "../types";
import type { PgConnection, Sql } from "./connection";

type Reads = Pick<
  PaymentStore,
  "listCheckouts" | "getPayment" | "listPayments" | "listRefunds" | "listDeadLetters" | "listJobs"
>;

export function createReads(c: PgConnection): Reads {
  const all = (what: string, text: string, params: unknown[] = []) =>
    c.read(what, async (sql) => (await sql(text, params)).rows);
  return {
    async listCheckouts(purchaseId) {
      const rows = await all(
        "list checkouts",
        `SELECT * FROM checkout WHERE purchase_id = $1 ORDER BY attempt`,
        [purchaseId],
      );
      return rows.map(toCheckout);
    },
    async getPayment(provider, providerPaymentId) {
      const rows = await all(
        "read a payment",
        `SELECT * FROM payment WHERE provider = $1 AND provider_payment_id = $2`,
        [provider, providerPaymentId],
      );
      return rows[0] ? toPayment(rows[0]) : null;
    },
    async listPayments(purchaseId) {
      const rows = await all(
        "list payments",
        `SELECT * FROM payment WHERE purchase_id = $1 ORDER BY created_at, provider_payment_id`,
        [purchaseId],
      );
      return rows.map(toPayment);
    },
    async listRefunds(purchaseId) {
      const rows =
        purchaseId === undefined
          ? await all("list refunds", `SELECT * FROM refund ORDER BY created_at, refund_key`)
          : await all(
              "list refunds",
              `SELECT * FROM refund WHERE purchase_id = $1 ORDER BY created_at, refund_key`,
              [purchaseId],
            );
      return rows.map(toRefund);
    },
    async listDeadLetters() {
      return (await all("list dead letters", `SELECT * FROM dead_letter ORDER BY id`)).map(toDeadLetter);
    },
    async listJobs() {
      return (await all("list jobs", `SELECT * FROM outbox ORDER BY id`)).map(toJob);
    },
  };
}

export async function reconcileReport(sql: Sql): Promise<ReconcileReport> {
  const all = async (text: string) => (await sql(text)).rows;
  return {
    paidNotFinalized: (
      await all(`SELECT * FROM purchase WHERE state IN ('paid', 'finalizing') ORDER BY deadline_at`)
    ).map(toPurchase),
    settledElsewhere: (await all(`SELECT * FROM payment WHERE state = 'settled' ORDER BY created_at`)).map(
      toPayment,
    ),
    refundsOpen: (
      await all(`SELECT * FROM refund WHERE state IN ('requested', 'pending', 'failed') ORDER BY created_at`)
    ).map(toRefund),
    deadLetters: (await all(`SELECT * FROM dead_letter WHERE resolved_at IS NULL ORDER BY id`)).map(
      toDeadLetter,
    ),
  };
}

export async function summarise(sql: Sql): Promise<StoreSummary> {
  const one = async (text: string) => (await sql(text)).rows[0]!;
  const purchasesByState: StoreSummary["purchasesByState"] = {};
  for (const row of (await sql(`SELECT state, count(*) AS n FROM purchase GROUP BY state`)).rows) {
    purchasesByState[row.state as keyof StoreSummary["purchasesByState"]] = row.n as number;
  }
  const jobs = await one(
    `SELECT count(*) AS n, min(not_before) AS oldest FROM outbox WHERE state = 'pending'`,
  );
  const slack = await one(
    `SELECT min(deadline_at - updated_at) AS s FROM purchase WHERE state = 'finalized'`,
  );
  return {
    purchasesByState,
    minFinalizedSlackMs: (slack.s as number | null) ?? null,
    refunds: (await one(`SELECT count(*) AS n FROM refund`)).n as number,
    deadLetters: (await one(`SELECT count(*) AS n FROM dead_letter`)).n as number,
    webhookEvents: (await one(`SELECT count(*) AS n FROM webhook_event`)).n as number,
    pendingJobs: jobs.n as number,
    oldestPendingJobAt: (jobs.oldest as number | null) ?? null,
  };
}

export async function readBacklog(sql: Sql, now: number): Promise<StoreBacklog> {
  const one = async (text: string, params: unknown[] = []) => (await sql(text, params)).rows[0]!;
  const jobs = await one(
    `SELECT count(*)::int AS n, min(not_before) AS oldest FROM outbox WHERE state = 'pending' AND not_before <= $1`,
    [now],
  );
  const paid = await one(
    `SELECT count(*)::int AS n, min(deadline_at) AS nearest FROM purchase WHERE state IN ('paid', 'finalizing')`,
  );
  const refunds = await one(
    `SELECT (count(*) FILTER (WHERE state IN ('requested', 'pending')))::int AS open,
            (count(*) FILTER (WHERE state = 'failed'))::int AS failed
       FROM refund WHERE state IN ('requested', 'pending', 'failed')`,
  );
  const letters = await one(`SELECT count(*)::int AS n FROM dead_letter WHERE resolved_at IS NULL`);
  return {
    dueJobs: jobs.n as number,
    oldestDueJobAt: jobs.oldest === null ? null : Number(jobs.oldest),
    awaitingFinalize: paid.n as number,
    nearestDeadlineAt: paid.nearest === null ? null : Number(paid.nearest),
    refundsPending: refunds.open as number,
    refundsFailed: refunds.failed as number,
    openDeadLetters: letters.n as number,
  };
}
