// The outbox on SQLite: enqueue (idempotent on the dedupe key), claim under a lease with at most
// one job per purchase in flight, and settle a job together with its step's effects (applied only
// while the worker still holds the lease: fencing).

import { StaleLeaseError, VersionConflictError } from "../../errors";
import type { JobEffects, JobRecord, NewDeadLetter, NewJob, PurchasePatch, WorkLane } from "../types";
import { laneFilter } from "../work-lane";
import type { SqliteConnection } from "./connection";
import { PATCH_COLUMNS, toJob } from "../rows";
import type { Row } from "../rows";

/**
 * A job with the same dedupe key is re-armed, not duplicated: a finished one becomes due again, a
 * leased one is flagged so the worker runs it once more after the current pass. Leased means a
 * worker's name is on it, even past the lease's end by this caller's clock: that worker may still
 * finish the job (its commit judges the lease on its own clock), and a flag nobody needs costs one
 * run at most (claiming clears it). A timer never run yet (guard, close) may be brought forward; a
 * retry keeps its time (it may honour Retry-After).
 */
export function enqueue(c: SqliteConnection, job: NewJob, now: number): void {
  c.prepare(
    `INSERT INTO outbox (dedupe, purchase_id, kind, payload, not_before, state, created_at, updated_at)
     VALUES (@dedupe, @purchaseId, @kind, @payload, @notBefore, 'pending', @now, @now)
     ON CONFLICT(dedupe) DO UPDATE SET
       state = 'pending',
       rearm = CASE WHEN outbox.state = 'pending' AND outbox.locked_by IS NOT NULL THEN 1 ELSE outbox.rearm END,
       not_before = CASE WHEN outbox.state = 'done' THEN excluded.not_before
         WHEN outbox.attempts = 0 THEN min(outbox.not_before, excluded.not_before) ELSE outbox.not_before END,
       attempts = CASE WHEN outbox.state = 'done' THEN 0 ELSE outbox.attempts END,
       updated_at = @now`,
  ).run({ ...job, payload: JSON.stringify(job.payload), now });
}

export function addDeadLetter(c: SqliteConnection, d: NewDeadLetter, now: number): void {
  c.prepare(
    `INSERT INTO dead_letter (purchase_id, kind, reason, detail, created_at) VALUES (?, ?, ?, ?, ?)`,
  ).run(d.purchaseId, d.kind, d.reason, d.detail ?? null, now);
}

/**
 * Lease up to `limit` due jobs. Due finalize jobs go first: Dataverse's budget is the scarce
 * resource in a burst, and a backlog of payment jobs (which only read the provider) must not leave
 * it unused while the deadlines run.
 */
export function claimJobs(
  c: SqliteConnection,
  input: { workerId: string; limit: number; now: number; leaseMs: number; lane?: WorkLane },
): JobRecord[] {
  const { workerId, limit, now, leaseMs } = input;
  const lane = laneFilter(input.lane, "o");
  const dueSql = (kindFilter: string) =>
    `SELECT * FROM outbox o WHERE o.state = 'pending' ${kindFilter} ${lane} AND o.not_before <= @now
       AND (o.locked_until IS NULL OR o.locked_until <= @now)
       AND (o.purchase_id IS NULL OR NOT EXISTS (
         SELECT 1 FROM outbox x WHERE x.purchase_id = o.purchase_id AND x.id <> o.id
           AND x.state = 'pending' AND x.locked_until IS NOT NULL AND x.locked_until > @now))
     ORDER BY o.not_before, o.id LIMIT @scan`;
  const finalizes = c.prepare(dueSql("AND o.kind = 'finalize'")).all({ now, scan: limit * 8 }) as Row[];
  const any = c.prepare(dueSql("")).all({ now, scan: limit * 8 }) as Row[];
  const seen = new Set(finalizes.map((r) => r.id));
  const due = [...finalizes, ...any.filter((r) => !seen.has(r.id))];
  const claimed: JobRecord[] = [];
  const purchases = new Set<string>();
  for (const row of due) {
    if (claimed.length >= limit) break;
    const job = toJob(row);
    if (job.purchaseId !== null) {
      if (purchases.has(job.purchaseId)) continue;
      purchases.add(job.purchaseId);
    }
    c.prepare(
      `UPDATE outbox SET locked_by = ?, locked_until = ?, attempts = attempts + 1, rearm = 0, updated_at = ? WHERE id = ?`,
    ).run(workerId, now + leaseMs, now, job.id);
    claimed.push({ ...job, lockedBy: workerId, lockedUntil: now + leaseMs, attempts: job.attempts + 1 });
  }
  return claimed;
}

/** Push a held lease further (a long step renews it so no other worker takes the job meanwhile). */
export function renewLease(
  c: SqliteConnection,
  jobId: number,
  workerId: string,
  until: number,
  now: number,
): void {
  assertLease(c, jobId, workerId, now);
  c.prepare(`UPDATE outbox SET locked_until = ?, updated_at = ? WHERE id = ?`).run(until, now, jobId);
}

function assertLease(c: SqliteConnection, jobId: number, workerId: string, now: number): void {
  const job = c.prepare(`SELECT * FROM outbox WHERE id = ?`).get(jobId) as Row | undefined;
  if (!job || job.locked_by !== workerId || job.state !== "pending" || (job.locked_until as number) < now) {
    throw new StaleLeaseError(jobId, workerId);
  }
}

/** Apply a step's effects and settle the job, if `workerId` still holds its lease. */
export function commitJob(
  c: SqliteConnection,
  jobId: number,
  workerId: string,
  effects: JobEffects,
  now: number,
): void {
  assertLease(c, jobId, workerId, now);
  if (effects.purchase) updatePurchase(c, effects.purchase, now);
  applyRowEffects(c, effects, now);
  for (const d of effects.deadLetters ?? []) addDeadLetter(c, d, now);
  for (const j of effects.jobs ?? []) enqueue(c, j, now);
  const next = effects.next;
  if (next.kind === "done") {
    c.prepare(
      `UPDATE outbox SET state = CASE WHEN rearm = 1 THEN 'pending' ELSE 'done' END, rearm = 0,
         locked_by = NULL, locked_until = NULL, updated_at = ? WHERE id = ?`,
    ).run(now, jobId);
  } else if (next.kind === "retry") {
    c.prepare(
      `UPDATE outbox SET not_before = ?, rearm = 0, locked_by = NULL, locked_until = NULL,
         last_error = ?, updated_at = ? WHERE id = ?`,
    ).run(next.at, next.error.slice(0, 2000), now, jobId);
  }
}

function updatePurchase(c: SqliteConnection, change: NonNullable<JobEffects["purchase"]>, now: number): void {
  const { purchaseId, expectedVersion, set } = change;
  const columns = Object.keys(set) as Array<keyof PurchasePatch>;
  const assignments = columns.map((k) => `${PATCH_COLUMNS[k]} = @${k}`);
  const params: Record<string, unknown> = { purchaseId, expectedVersion, now };
  for (const k of columns) {
    const v = set[k];
    params[k] = typeof v === "boolean" ? (v ? 1 : 0) : v;
  }
  const result = c
    .prepare(
      `UPDATE purchase SET ${[...assignments, "updated_at = @now", "version = version + 1"].join(", ")}
         WHERE purchase_id = @purchaseId AND version = @expectedVersion`,
    )
    .run(params);
  if (result.changes !== 1) throw new VersionConflictError(purchaseId, expectedVersion);
}

function applyRowEffects(c: SqliteConnection, effects: JobEffects, now: number): void {
  for (const p of effects.payments ?? []) {
    c.prepare(
      `INSERT INTO payment (provider, provider_payment_id, purchase_id, provider_session_id, amount_minor, currency, state, created_at, updated_at)
       VALUES (@provider, @providerPaymentId, @purchaseId, @providerSessionId, @amountMinor, @currency, @state, @now, @now)
       ON CONFLICT(provider, provider_payment_id) DO UPDATE SET
         purchase_id = coalesce(excluded.purchase_id, payment.purchase_id),
         provider_session_id = coalesce(excluded.provider_session_id, payment.provider_session_id),
         amount_minor = coalesce(excluded.amount_minor, payment.amount_minor),
         currency = coalesce(excluded.currency, payment.currency),
         state = excluded.state, updated_at = excluded.updated_at`,
    ).run({ ...p, now });
  }
  for (const co of effects.checkouts ?? []) {
    c.prepare(`UPDATE checkout SET state = ? WHERE purchase_id = ? AND provider_session_id = ?`).run(
      co.state,
      co.purchaseId,
      co.providerSessionId,
    );
  }
  for (const r of effects.refunds ?? []) {
    c.prepare(
      `INSERT INTO refund (refund_key, purchase_id, provider, provider_payment_id, amount_minor, currency, reason, state, created_at, updated_at)
       VALUES (@refundKey, @purchaseId, @provider, @providerPaymentId, @amountMinor, @currency, @reason, 'requested', @now, @now)
       ON CONFLICT DO NOTHING`,
    ).run({ ...r, now });
  }
  for (const u of effects.refundUpdates ?? []) {
    c.prepare(
      `UPDATE refund SET state = @state, provider_refund_id = coalesce(@providerRefundId, provider_refund_id),
         last_error = @lastError, updated_at = @now WHERE refund_key = @refundKey`,
    ).run({
      refundKey: u.refundKey,
      state: u.state,
      providerRefundId: u.providerRefundId ?? null,
      lastError: u.lastError ?? null,
      now,
    });
  }
}

export function nextDueAt(c: SqliteConnection, lane?: WorkLane): number | null {
  const row = c
    .prepare(
      `SELECT min(max(not_before, coalesce(locked_until, 0))) AS t FROM outbox o WHERE o.state = 'pending' ${laneFilter(lane, "o")}`,
    )
    .get() as Row;
  return (row.t as number | null) ?? null;
}
