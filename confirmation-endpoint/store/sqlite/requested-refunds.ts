// Requested refunds on SQLite (`npm run refund`): one write transaction checks the key, the sum
// already refunded on the payment and inserts the row, so two runs at once cannot both pass the
// check. The provider's answer settles the row later.

import { toPurchase, toRefund } from "../rows";
import type { Row } from "../rows";
import type {
  PurchaseRecord,
  RefundRecord,
  RequestRefundInput,
  RequestRefundResult,
  SettleRefundInput,
} from "../types";
import type { SqliteConnection } from "./connection";
import { enqueue } from "./outbox";

export function requestRefund(c: SqliteConnection, input: RequestRefundInput): RequestRefundResult {
  const { refund: r, now } = input;
  const existing = c.prepare(`SELECT * FROM refund WHERE refund_key = ?`).get(r.refundKey) as Row | undefined;
  if (existing) return { kind: "existing", refund: toRefund(existing) };
  const sum = c
    .prepare(
      `SELECT coalesce(sum(amount_minor), 0) AS s FROM refund
       WHERE provider = ? AND provider_payment_id = ? AND state <> 'failed'`,
    )
    .get(r.provider, r.providerPaymentId) as Row;
  const refundedMinor = Number(sum.s);
  if (refundedMinor + r.amountMinor > input.paidMinor)
    return { kind: "exceeds", paidMinor: input.paidMinor, refundedMinor };
  c.prepare(
    `INSERT INTO refund (refund_key, purchase_id, provider, provider_payment_id, amount_minor, currency,
       reason, state, note, requested_by, created_at, updated_at)
     VALUES (@refundKey, @purchaseId, @provider, @providerPaymentId, @amountMinor, @currency,
       'requested', 'requested', @note, @requestedBy, @now, @now)`,
  ).run({ ...r, now });
  for (const job of input.jobs ?? []) enqueue(c, job, now);
  const row = c.prepare(`SELECT * FROM refund WHERE refund_key = ?`).get(r.refundKey) as Row;
  return { kind: "created", refund: toRefund(row) };
}

export function settleRefund(c: SqliteConnection, input: SettleRefundInput): RefundRecord | null {
  const changed = c
    .prepare(
      `UPDATE refund SET state = ?, provider_refund_id = coalesce(?, provider_refund_id), last_error = ?,
         updated_at = ? WHERE refund_key = ?`,
    )
    .run(input.state, input.providerRefundId ?? null, input.lastError ?? null, input.now, input.refundKey);
  if (changed.changes === 0) return null;
  for (const job of input.jobs ?? []) enqueue(c, job, input.now);
  return toRefund(c.prepare(`SELECT * FROM refund WHERE refund_key = ?`).get(input.refundKey) as Row);
}

export function listPurchasesSince(c: SqliteConnection, since: number): PurchaseRecord[] {
  return (
    c
      .prepare(
        `SELECT * FROM purchase WHERE updated_at >= ? OR created_at >= ? ORDER BY created_at, purchase_id`,
      )
      .all(since, since) as Row[]
  ).map(toPurchase);
}
