// Checkout attempts on PostgreSQL, the same rules as SQLite's: the purchase is inserted on its
// first checkout (later ones keep its t0 and deadline), an open hosted page is handed back, or the
// next attempt is reserved with its idempotency key. The purchase row is locked for the
// transaction, so two instances starting a checkout for one purchase take turns.

import type { BeginCheckoutResult, NewJob, NewPurchase } from "../types";
import { toCheckout, toPurchase } from "../rows";
import type { Sql } from "./connection";
import { enqueue } from "./outbox";

export async function getPurchaseRow(sql: Sql, id: string) {
  const { rows } = await sql(`SELECT * FROM purchase WHERE purchase_id = $1`, [id]);
  return rows[0] ? toPurchase(rows[0]) : null;
}

export async function beginCheckout(
  sql: Sql,
  input: {
    purchase: NewPurchase;
    provider: string;
    now: number;
    idempotencyKeyFor: (attempt: number) => string;
    jobs: NewJob[];
  },
): Promise<BeginCheckoutResult> {
  const { purchase: p, provider, now, idempotencyKeyFor, jobs } = input;
  await sql(
    `INSERT INTO purchase (purchase_id, mode, readable_event_id, user_id, event_name, attendees_json, expected_minor, currency,
       t0, t0_source, deadline_at, guard_at, close_at, return_origin, confirmation_path, state, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $16, 'awaiting_payment', $15, $15)
     ON CONFLICT (purchase_id) DO UPDATE SET
       return_origin = excluded.return_origin, confirmation_path = excluded.confirmation_path, event_name = excluded.event_name, attendees_json = excluded.attendees_json,
       updated_at = excluded.updated_at, version = purchase.version + 1
     WHERE purchase.state = 'awaiting_payment'`,
    [
      p.purchaseId,
      p.mode,
      p.readableEventId,
      p.userId,
      p.eventName,
      JSON.stringify(p.attendees),
      p.expectedMinor,
      p.currency,
      p.t0,
      p.t0Source,
      p.deadlineAt,
      p.guardAt,
      p.closeAt,
      p.returnOrigin,
      now,
      p.confirmationPath,
    ],
  );
  const locked = await sql(`SELECT * FROM purchase WHERE purchase_id = $1 FOR UPDATE`, [p.purchaseId]);
  const stored = toPurchase(locked.rows[0]!);
  const rows = (
    await sql(`SELECT * FROM checkout WHERE purchase_id = $1 ORDER BY attempt DESC`, [p.purchaseId])
  ).rows.map(toCheckout);
  const open = rows.find((r) => r.state === "open" && r.expiresAt !== null && r.expiresAt > now);
  if (open) return { purchase: stored, checkout: open };
  const creating = rows.find((r) => r.state === "creating");
  if (creating) return { purchase: stored, checkout: creating };
  // Older open sessions past their expiry are closed in the book before a new attempt.
  await sql(
    `UPDATE checkout SET state = 'expired' WHERE purchase_id = $1 AND state = 'open' AND expires_at <= $2`,
    [p.purchaseId, now],
  );
  const attempt = (rows[0]?.attempt ?? 0) + 1;
  const inserted = await sql(
    `INSERT INTO checkout (purchase_id, attempt, provider, idempotency_key, state, created_at)
     VALUES ($1, $2, $3, $4, 'creating', $5) RETURNING *`,
    [p.purchaseId, attempt, provider, idempotencyKeyFor(attempt), now],
  );
  for (const job of jobs) await enqueue(sql, job, now);
  return { purchase: stored, checkout: toCheckout(inserted.rows[0]!) };
}

export async function abandonCheckoutAttempt(sql: Sql, purchaseId: string, attempt: number): Promise<void> {
  await sql(
    `UPDATE checkout SET state = CASE WHEN state = 'open' THEN 'expired' ELSE 'failed' END
     WHERE purchase_id = $1 AND attempt = $2 AND state IN ('creating', 'open')`,
    [purchaseId, attempt],
  );
}

export async function recordCheckoutSession(
  sql: Sql,
  input: {
    purchaseId: string;
    attempt: number;
    providerSessionId: string;
    redirectUrl: string;
    expiresAt: number;
  },
): Promise<void> {
  await sql(
    `UPDATE checkout SET provider_session_id = $1, redirect_url = $2, expires_at = $3, state = 'open'
     WHERE purchase_id = $4 AND attempt = $5 AND state IN ('creating', 'open')`,
    [input.providerSessionId, input.redirectUrl, input.expiresAt, input.purchaseId, input.attempt],
  );
}
