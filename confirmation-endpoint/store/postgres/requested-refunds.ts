// Requested refunds on PostgreSQL (`npm run refund`): a transaction-scoped advisory lock on the
// payment serialises concurrent requests from any instance, so the sum already refunded is checked
// and the row inserted as one step. The provider's answer settles the row later.

import { toPurchase, toRefund } from "../rows";
import type {
  PurchaseRecord,
  RefundRecord,
  RequestRefundInput,
  RequestRefundResult,
  SettleRefundInput,
} from "../types";
import type { Sql } from "./connection";
import { enqueue } from "./outbox";

export async function requestRefund(sql: Sql, input: RequestRefundInput): Promise<RequestRefundResult> {
  const { refund: r, now } = input;
  await sql(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `refund:${r.provider}:${r.providerPaymentId}`,
  ]);
  const existing = (await sql(`SELECT * FROM refund WHERE refund_key = $1`, [r.refundKey])).rows[0];
  if (existing) return { kind: "existing", refund: toRefund(existing) };
  const sum = (
    await sql(
      `SELECT coalesce(sum(amount_minor), 0) AS s FROM refund
       WHERE provider = $1 AND provider_payment_id = $2 AND state <> 'failed'`,
      [r.provider, r.providerPaymentId],
    )
  ).rows[0];
  const refundedMinor = Number(sum?.s ?? 0);
  if (refundedMinor + r.amountMinor > input.paidMinor)
    return { kind: "exceeds", paidMinor: input.paidMinor, refundedMinor };
  const inserted = await sql(
    `INSERT INTO refund (refund_key, purchase_id, provider, provider_payment_id, amount_minor, currency,
       reason, state, note, requested_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'requested', 'requested', $7, $8, $9, $9) RETURNING *`,
    [
      r.refundKey,
      r.purchaseId,
      r.provider,
      r.providerPaymentId,
      r.amountMinor,
      r.currency,
      r.note,
      r.requestedBy,
      now,
    ],
  );
  for (const job of input.jobs ?? []) await enqueue(sql, job, now);
  return { kind: "created", refund: toRefund(inserted.rows[0]!) };
}

export async function settleRefund(sql: Sql, input: SettleRefundInput): Promise<RefundRecord | null> {
  const updated = await sql(
    `UPDATE refund SET state = $1, provider_refund_id = coalesce($2, provider_refund_id), last_error = $3,
       updated_at = $4 WHERE refund_key = $5 RETURNING *`,
    [input.state, input.providerRefundId ?? null, input.lastError ?? null, input.now, input.refundKey],
  );
  const row = updated.rows[0];
  if (!row) return null;
  for (const job of input.jobs ?? []) await enqueue(sql, job, input.now);
  return toRefund(row);
}

export async function listPurchasesSince(sql: Sql, since: number): Promise<PurchaseRecord[]> {
  const rows = await sql(
    `SELECT * FROM purchase WHERE updated_at >= $1 OR created_at >= $1 ORDER BY created_at, purchase_id`,
    [since],
  );
  return rows.rows.map(toPurchase);
}
