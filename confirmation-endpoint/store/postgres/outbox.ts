// The outbox on PostgreSQL, shared by every endpoint instance. Claiming takes due rows with
// FOR UPDATE SKIP LOCKED (two instances never wait on, or take, the same row) and holds a
// transaction-scoped advisory lock per purchase while it checks that no other job of that purchase
// is leased: "one job per purchase in flight" holds across instances because the database
// serialises it, not one process's memory. Fencing is the conditional UPDATE that ends every step:
// a step commits only while its worker's lease is unexpired, or rolls back whole.

import { StaleLeaseError, VersionConflictError } from "../../errors";
import { PATCH_COLUMNS, toJob } from "../rows";
import type { JobEffects, JobRecord, NewDeadLetter, NewJob, PurchasePatch, WorkLane } from "../types";
import { laneFilter } from "../work-lane";
import type { NamedStatement, Sql } from "./connection";

/** Channel a stored job is announced on, so a worker on any instance wakes at once. */
export const WORK_CHANNEL = "gateway_work";

// Enqueueing, as one upsert written once: `enqueue` feeds it one job (VALUES), the webhook statement
// (webhooks.ts) feeds it the jobs of a delivery's new events (a SELECT). Same re-arm rules as
// SQLite's enqueue (see sqlite/outbox.ts): a job enqueued again under its key becomes pending; a
// finished one starts over (due at the new time, attempts back to 0); one never tried keeps the
// earlier due time; one a worker holds (its name on it) is marked to run once more after that worker.
const OUTBOX_COLUMNS = "dedupe, purchase_id, kind, payload, not_before, state, created_at, updated_at";

/**
 * The upsert of jobs into the outbox. `rows` yields the columns of OUTBOX_COLUMNS, at most one row per
 * dedupe key (PostgreSQL refuses to update one row twice in a statement); `now` is the SQL for the
 * time of the call.
 */
function upsertJobs(rows: string, now: string): string {
  return `INSERT INTO outbox (${OUTBOX_COLUMNS}) ${rows}
     ON CONFLICT (dedupe) DO UPDATE SET
       state = 'pending',
       rearm = CASE WHEN outbox.state = 'pending' AND outbox.locked_by IS NOT NULL THEN 1 ELSE outbox.rearm END,
       not_before = CASE WHEN outbox.state = 'done' THEN excluded.not_before
         WHEN outbox.attempts = 0 THEN LEAST(outbox.not_before, excluded.not_before) ELSE outbox.not_before END,
       attempts = CASE WHEN outbox.state = 'done' THEN 0 ELSE outbox.attempts END,
       updated_at = ${now}`;
}

/**
 * The same upsert for many jobs at once, from `source` (a relation with dedupe, purchase_id, kind,
 * payload, not_before and `seq`, the order they were planned in). Jobs sharing a key become one row
 * first, and that row is what enqueueing them one after the other in `seq` order leaves behind under the rules
 * above: the first one's purchase, kind and payload (a conflict never changes those), the earliest
 * due time (a pending job never tried keeps the earlier one), attempts at 0.
 */
export function upsertJobsFrom(source: string, now: string): string {
  return upsertJobs(
    `SELECT DISTINCT ON (dedupe) dedupe, purchase_id, kind, payload,
       min(not_before) OVER (PARTITION BY dedupe), 'pending', ${now}, ${now}
     FROM ${source} ORDER BY dedupe, seq`,
    now,
  );
}

/** One job's upsert, prepared once per connection: in a step's transaction, or as a write of its own. */
export const ENQUEUE: NamedStatement = {
  name: "enqueue_job",
  text: upsertJobs(`VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6)`, "$6"),
};

export function enqueueParams(job: NewJob, now: number): unknown[] {
  return [job.dedupe, job.purchaseId, job.kind, JSON.stringify(job.payload), job.notBefore, now];
}

export async function enqueue(sql: Sql, job: NewJob, now: number): Promise<void> {
  await sql(ENQUEUE.text, enqueueParams(job, now));
}

export async function addDeadLetter(sql: Sql, d: NewDeadLetter, now: number): Promise<void> {
  await sql(
    `INSERT INTO dead_letter (purchase_id, kind, reason, detail, created_at) VALUES ($1, $2, $3, $4, $5)`,
    [d.purchaseId, d.kind, d.reason, d.detail ?? null, now],
  );
}

/**
 * Due jobs matching `kinds` (an `AND …` condition on `o.kind`), not leased or their lease run out:
 * oldest first, at most `limit` (SQL), locked for the claim's transaction. Nothing in it needs more
 * than the job's own row, so the scan costs little whichever plan the planner picks: the index's
 * order stops at `limit`; a plan from statistics that lag a fast-growing outbox (in a burst) sorts
 * every due job, still cheaply. Jobs due at the same millisecond come in the index's order (an id
 * as tie-break would need that sort every time).
 */
function dueJobs(kinds: string, limit: string): string {
  return `SELECT o.id, o.purchase_id, o.not_before FROM outbox o
     WHERE o.state = 'pending' ${kinds} AND o.not_before <= $1 AND (o.locked_until IS NULL OR o.locked_until <= $1)
     ORDER BY o.not_before LIMIT ${limit}
     FOR UPDATE OF o SKIP LOCKED`;
}

/**
 * The claim's scan ($1 now, $2 how many). On the main lane, due finalize jobs first (see
 * sqlite/outbox.ts for why), then the other kinds, each in its own index's order (one scan ordered
 * by "finalize first" read and sorted every due job). Of what they found, jobs of a purchase with
 * another job leased are left out here, on the few rows found rather than on every due job.
 */
function claimScan(lane: WorkLane): string {
  const scanned =
    lane === "background"
      ? `SELECT *, 0 AS k FROM (${dueJobs(laneFilter(lane, "o"), "$2")}) background`
      : `WITH finalizes AS (${dueJobs("AND o.kind = 'finalize'", "$2")}),
         others AS (${dueJobs(`${laneFilter(lane, "o")} AND o.kind <> 'finalize'`, "$2 - (SELECT count(*) FROM finalizes)")})
         SELECT *, 0 AS k FROM finalizes UNION ALL SELECT *, 1 FROM others`;
  return `SELECT id, purchase_id FROM (${scanned}) due
    WHERE due.purchase_id IS NULL OR NOT EXISTS (
      SELECT 1 FROM outbox x WHERE x.purchase_id = due.purchase_id AND x.id <> due.id
        AND x.state = 'pending' AND x.locked_until IS NOT NULL AND x.locked_until > $1)
    ORDER BY k, not_before, id`;
}

/** Each lane's scan, written once: a claim sends the same text every time. */
const CLAIM_SCANS: Record<WorkLane, string> = {
  main: claimScan("main"),
  background: claimScan("background"),
};

/** Lease up to `limit` due jobs, finalize jobs first. */
export async function claimJobs(
  sql: Sql,
  input: { workerId: string; limit: number; now: number; leaseMs: number; lane?: WorkLane },
): Promise<JobRecord[]> {
  const { workerId, limit, now, leaseMs } = input;
  const { rows } = await sql(CLAIM_SCANS[input.lane ?? "main"], [now, limit * 8]);
  if (rows.length === 0) return [];
  const purchases = [...new Set(rows.map((r) => r.purchase_id).filter((p): p is string => p !== null))];
  // The scan above skips purchases already busy, but another transaction may be leasing a job of
  // the same purchase right now: whoever holds the purchase's advisory lock decides. The lease
  // below checks again that none of its purchases is busy, in a statement of its own, so on what
  // had committed once the locks were held (another claimer's lease commits before its lock goes).
  const locked =
    purchases.length === 0
      ? new Set<string>()
      : new Set(
          (
            await sql(
              `SELECT p FROM unnest($1::text[]) AS p WHERE pg_try_advisory_xact_lock(hashtextextended(p, 0))`,
              [purchases],
            )
          ).rows.map((r) => r.p as string),
        );
  const chosen: number[] = [];
  for (const row of rows) {
    if (chosen.length >= limit) break;
    const purchaseId = row.purchase_id as string | null;
    if (purchaseId !== null) {
      if (!locked.has(purchaseId)) continue;
      locked.delete(purchaseId);
    }
    chosen.push(row.id as number);
  }
  if (chosen.length === 0) return [];
  const claimed = await sql(
    `UPDATE outbox o SET locked_by = $1, locked_until = $2, attempts = attempts + 1, rearm = 0, updated_at = $3
     WHERE o.id = ANY($4::bigint[]) AND (o.purchase_id IS NULL OR NOT EXISTS (
       SELECT 1 FROM outbox x WHERE x.purchase_id = o.purchase_id AND x.id <> o.id
         AND x.state = 'pending' AND x.locked_until IS NOT NULL AND x.locked_until > $3))
     RETURNING *`,
    [workerId, now + leaseMs, now, chosen],
  );
  const byId = new Map(claimed.rows.map((r) => [r.id as number, toJob(r)]));
  return chosen.flatMap((id) => byId.get(id) ?? []);
}

/** The lease `workerId` must still hold on job $1 at $3 (an unexpired lease of a pending job). */
const LEASE_HELD = `id = $1 AND locked_by = $2 AND state = 'pending' AND locked_until IS NOT NULL AND locked_until >= $3`;

/** Touch the job's row while the lease is held: locks it until the commit; no row means the lease is gone. */
const HOLD_LEASE = `UPDATE outbox SET updated_at = $3 WHERE ${LEASE_HELD}`;

/** Extend a lease, only while `workerId` holds it: one statement, its own transaction. */
export const RENEW_LEASE: NamedStatement = {
  name: "renew_lease",
  text: `UPDATE outbox SET locked_until = $4, updated_at = $3 WHERE ${LEASE_HELD} RETURNING id`,
};

/**
 * How a step settles its job's row; each statement touches the row only while `workerId` still
 * holds its lease ($1 job, $2 worker, $3 now), so one that touches nothing means the lease is gone.
 */
function settleJob(next: JobEffects["next"]): { text: string; params: unknown[] } {
  switch (next.kind) {
    case "done":
      return {
        text: `UPDATE outbox SET state = CASE WHEN rearm = 1 THEN 'pending' ELSE 'done' END, rearm = 0,
                 locked_by = NULL, locked_until = NULL, updated_at = $3 WHERE ${LEASE_HELD}`,
        params: [],
      };
    case "retry":
      return {
        text: `UPDATE outbox SET not_before = $4, rearm = 0, locked_by = NULL, locked_until = NULL,
                 last_error = $5, updated_at = $3 WHERE ${LEASE_HELD}`,
        params: [next.at, next.error.slice(0, 2000)],
      };
    case "keep":
      return { text: HOLD_LEASE, params: [] };
  }
}

/**
 * Apply a step's effects and settle the job, if `workerId` still holds its lease. The lease is
 * checked by the last statement, which locks the job's row until the commit: a step whose lease is
 * gone is rolled back whole. A version conflict is reported only while the lease is held, as
 * checking the lease first would.
 */
export async function commitJob(
  sql: Sql,
  jobId: number,
  workerId: string,
  effects: JobEffects,
  now: number,
): Promise<void> {
  const settle = settleJob(effects.next);
  try {
    if (effects.purchase) await updatePurchase(sql, effects.purchase, now);
  } catch (error) {
    if (error instanceof VersionConflictError) {
      const held = await sql(HOLD_LEASE, [jobId, workerId, now]);
      if (held.rowCount !== 1) throw new StaleLeaseError(jobId, workerId);
    }
    throw error;
  }
  await applyRowEffects(sql, effects, now);
  for (const d of effects.deadLetters ?? []) await addDeadLetter(sql, d, now);
  for (const j of effects.jobs ?? []) await enqueue(sql, j, now);
  const { rowCount } = await sql(settle.text, [jobId, workerId, now, ...settle.params]);
  if (rowCount !== 1) throw new StaleLeaseError(jobId, workerId);
}

async function updatePurchase(sql: Sql, change: NonNullable<JobEffects["purchase"]>, now: number) {
  const { purchaseId, expectedVersion, set } = change;
  const columns = Object.keys(set) as Array<keyof PurchasePatch>;
  const params: unknown[] = [purchaseId, expectedVersion, now];
  const assignments = columns.map((k) => {
    const v = set[k];
    params.push(typeof v === "boolean" ? (v ? 1 : 0) : v);
    return `${PATCH_COLUMNS[k]} = $${params.length}`;
  });
  const { rowCount } = await sql(
    `UPDATE purchase SET ${[...assignments, "updated_at = $3", "version = version + 1"].join(", ")}
       WHERE purchase_id = $1 AND version = $2`,
    params,
  );
  if (rowCount !== 1) throw new VersionConflictError(purchaseId, expectedVersion);
}

async function applyRowEffects(sql: Sql, effects: JobEffects, now: number): Promise<void> {
  for (const p of effects.payments ?? []) {
    await sql(
      `INSERT INTO payment (provider, provider_payment_id, purchase_id, provider_session_id, amount_minor, currency, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (provider, provider_payment_id) DO UPDATE SET
         purchase_id = coalesce(excluded.purchase_id, payment.purchase_id),
         provider_session_id = coalesce(excluded.provider_session_id, payment.provider_session_id),
         amount_minor = coalesce(excluded.amount_minor, payment.amount_minor),
         currency = coalesce(excluded.currency, payment.currency),
         state = excluded.state, updated_at = excluded.updated_at`,
      [
        p.provider,
        p.providerPaymentId,
        p.purchaseId,
        p.providerSessionId,
        p.amountMinor,
        p.currency,
        p.state,
        now,
      ],
    );
  }
  for (const co of effects.checkouts ?? []) {
    await sql(`UPDATE checkout SET state = $1 WHERE purchase_id = $2 AND provider_session_id = $3`, [
      co.state,
      co.purchaseId,
      co.providerSessionId,
    ]);
  }
  for (const r of effects.refunds ?? []) {
    await sql(
      `INSERT INTO refund (refund_key, purchase_id, provider, provider_payment_id, amount_minor, currency, reason, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'requested', $8, $8) ON CONFLICT DO NOTHING`,
      [r.refundKey, r.purchaseId, r.provider, r.providerPaymentId, r.amountMinor, r.currency, r.reason, now],
    );
  }
  for (const u of effects.refundUpdates ?? []) {
    await sql(
      `UPDATE refund SET state = $1, provider_refund_id = coalesce($2, provider_refund_id),
         last_error = $3, updated_at = $4 WHERE refund_key = $5`,
      [u.state, u.providerRefundId ?? null, u.lastError ?? null, now, u.refundKey],
    );
  }
}

export async function nextDueAt(sql: Sql, lane?: WorkLane): Promise<number | null> {
  const { rows } = await sql(
    `SELECT min(GREATEST(o.not_before, coalesce(o.locked_until, 0))) AS t FROM outbox o
     WHERE o.state = 'pending' ${laneFilter(lane, "o")}`,
  );
  return (rows[0]?.t as number | null) ?? null;
}
