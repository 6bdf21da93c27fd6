// Checkout attempts on SQLite: the purchase is inserted on its first checkout (later ones keep its
// t0 and deadline), an open hosted page is handed back, or the next attempt is reserved with its
// idempotency key before any provider call.

import type { BeginCheckoutResult, NewJob, NewPurchase } from "../types";
import type { SqliteConnection } from "./connection";
import { enqueue } from "./outbox";
import { toCheckout, toPurchase } from "../rows";
import type { Row } from "../rows";

export function getPurchaseRow(c: SqliteConnection, id: string) {
  const row = c.prepare(`SELECT * FROM purchase WHERE purchase_id = ?`).get(id) as Row | undefined;
  return row ? toPurchase(row) : null;
}

export function beginCheckout(
  c: SqliteConnection,
  input: {
    purchase: NewPurchase;
    provider: string;
    now: number;
    idempotencyKeyFor: (attempt: number) => string;
    jobs: NewJob[];
  },
): BeginCheckoutResult {
  const { purchase, provider, now, idempotencyKeyFor, jobs } = input;
  c.prepare(
    `INSERT INTO purchase (purchase_id, mode, readable_event_id, user_id, event_name, attendees_json, expected_minor, currency,
       t0, t0_source, deadline_at, guard_at, close_at, return_origin, confirmation_path, state, created_at, updated_at)
     VALUES (@purchaseId, @mode, @readableEventId, @userId, @eventName, @attendeesJson, @expectedMinor, @currency,
       @t0, @t0Source, @deadlineAt, @guardAt, @closeAt, @returnOrigin, @confirmationPath, 'awaiting_payment', @now, @now)
     ON CONFLICT(purchase_id) DO UPDATE SET
       return_origin = excluded.return_origin, confirmation_path = excluded.confirmation_path, event_name = excluded.event_name, attendees_json = excluded.attendees_json,
       updated_at = excluded.updated_at, version = purchase.version + 1
     WHERE purchase.state = 'awaiting_payment'`,
  ).run({ ...purchase, attendeesJson: JSON.stringify(purchase.attendees), now });
  const stored = getPurchaseRow(c, purchase.purchaseId)!;
  const rows = (
    c
      .prepare(`SELECT * FROM checkout WHERE purchase_id = ? ORDER BY attempt DESC`)
      .all(purchase.purchaseId) as Row[]
  ).map(toCheckout);
  const open = rows.find((r) => r.state === "open" && r.expiresAt !== null && r.expiresAt > now);
  if (open) return { purchase: stored, checkout: open };
  const creating = rows.find((r) => r.state === "creating");
  if (creating) return { purchase: stored, checkout: creating };
  // Older open sessions past their expiry are closed in the book before a new attempt.
  c.prepare(
    `UPDATE checkout SET state = 'expired' WHERE purchase_id = ? AND state = 'open' AND expires_at <= ?`,
  ).run(purchase.purchaseId, now);
  const attempt = (rows[0]?.attempt ?? 0) + 1;
  c.prepare(
    `INSERT INTO checkout (purchase_id, attempt, provider, idempotency_key, state, created_at) VALUES (?, ?, ?, ?, 'creating', ?)`,
  ).run(purchase.purchaseId, attempt, provider, idempotencyKeyFor(attempt), now);
  for (const job of jobs) enqueue(c, job, now);
  const checkout = toCheckout(
    c
      .prepare(`SELECT * FROM checkout WHERE purchase_id = ? AND attempt = ?`)
      .get(purchase.purchaseId, attempt) as Row,
  );
  return { purchase: stored, checkout };
}

export function abandonCheckoutAttempt(c: SqliteConnection, purchaseId: string, attempt: number): void {
  c.prepare(
    `UPDATE checkout SET state = CASE WHEN state = 'open' THEN 'expired' ELSE 'failed' END
     WHERE purchase_id = ? AND attempt = ? AND state IN ('creating', 'open')`,
  ).run(purchaseId, attempt);
}

export function recordCheckoutSession(
  c: SqliteConnection,
  input: {
    purchaseId: string;
    attempt: number;
    providerSessionId: string;
    redirectUrl: string;
    expiresAt: number;
  },
): void {
  c.prepare(
    `UPDATE checkout SET provider_session_id = ?, redirect_url = ?, expires_at = ?, state = 'open'
     WHERE purchase_id = ? AND attempt = ? AND state IN ('creating', 'open')`,
  ).run(input.providerSessionId, input.redirectUrl, input.expiresAt, input.purchaseId, input.attempt);
}
