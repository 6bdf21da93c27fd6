// A payments_table job: upsert the purchase's rows in the Dataverse payments table from what the
// store says now (payments-table/payment-rows.ts). It runs on the background lane only, after the
// change that made it has committed; a later change re-arms it, so the last run writes the latest
// state. Dataverse trouble is retried with backoff; a table not created yet is retried slowly.

import { DataverseError, DeadlineExceededError } from "../dataverse/errors";
import { typedJob } from "../lifecycle/jobs";
import { paymentRows } from "../payments-table/payment-rows";
import { PaymentsTableNotReadyError } from "../payments-table/upsert-payment";
import { backoffDelayMs } from "./backoff";
import type { StepContext, StepResult } from "./context";
import { describeError } from "./describe-error";

const CALL_BUDGET_MS = 30_000;
const NOT_READY_RETRY_MS = 10 * 60_000;

export async function handlePaymentsTableJob(ctx: StepContext): Promise<StepResult> {
  const { purchaseId } = typedJob(ctx.job, "payments_table").payload;
  const table = ctx.paymentsTable;
  // Switched off after the job was queued: nothing to write, and the job must not stay pending.
  if (!table) return { outcome: "table_off", effects: { next: { kind: "done" } } };
  const purchase = await ctx.store.getPurchase(purchaseId);
  if (!purchase) return { outcome: "no_purchase", effects: { next: { kind: "done" } } };
  const rows = paymentRows(
    purchase,
    await ctx.store.listPayments(purchaseId),
    await ctx.store.listRefunds(purchaseId),
    table.deploymentId,
  );
  const now = ctx.clock.now();
  try {
    for (const row of rows) await table.writer.upsert(row, { deadline: now + CALL_BUDGET_MS });
  } catch (error) {
    return retryLater(ctx, error, now);
  }
  return {
    outcome: rows.length > 0 ? "upserted" : "no_rows",
    fields: { rows: rows.length, statuses: rows.map((r) => r.status).join(",") },
    effects: { next: { kind: "done" } },
  };
}

function retryLater(ctx: StepContext, error: unknown, now: number): StepResult {
  const detail = describeError(error);
  if (error instanceof PaymentsTableNotReadyError) {
    return {
      outcome: "table_not_ready",
      fields: { error: detail },
      effects: { next: { kind: "retry", at: now + NOT_READY_RETRY_MS, error: detail } },
    };
  }
  const cause = error instanceof DeadlineExceededError ? error.cause : error;
  const retryAfter = cause instanceof DataverseError ? cause.retryAfterMs : undefined;
  const wait = Math.max(
    retryAfter ?? 0,
    backoffDelayMs(ctx.job.attempts, ctx.random, { baseMs: 2_000, capMs: 15 * 60_000 }),
  );
  return {
    outcome: "retry",
    fields: { error: detail },
    effects: { next: { kind: "retry", at: now + wait, error: detail } },
  };
}
