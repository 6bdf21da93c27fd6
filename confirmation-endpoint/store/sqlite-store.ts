// PaymentStore on SQLite (better-sqlite3 v12): WAL, FULL sync (a 2xx promises durability), a busy
// timeout, versioned migrations, and every command in one BEGIN IMMEDIATE transaction that never
// spans an await (spec §5.1).

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StaleLeaseError, StoreError, VersionConflictError } from "../errors";
import type { PaymentEvent } from "../providers/types";
import { MIGRATIONS } from "./migrations";
import type {
  BeginCheckoutResult,
  CheckoutRecord,
  DeadLetterRecord,
  JobEffects,
  JobRecord,
  NewJob,
  PaymentRecord,
  PaymentStore,
  PurchasePatch,
  PurchaseRecord,
  RefundRecord,
  ReconcileReport,
  WebhookOutcome,
} from "./types";

type Row = Record<string, unknown>;

const PATCH_COLUMNS: Record<keyof PurchasePatch, string> = {
  state: "state",
  winningPaymentId: "winning_payment_id",
  finalizeAttempts: "finalize_attempts",
  finalizeInFlight: "finalize_in_flight",
  finalizeAmbiguous: "finalize_ambiguous",
  lastError: "last_error",
};

function toPurchase(r: Row): PurchaseRecord {
  return {
    purchaseId: r.purchase_id as string,
    mode: r.mode as PurchaseRecord["mode"],
    readableEventId: r.readable_event_id as string,
    userId: r.user_id as string,
    eventName: (r.event_name as string | null) ?? null,
    attendees: JSON.parse(r.attendees_json as string) as PurchaseRecord["attendees"],
    expectedMinor: r.expected_minor as number,
    currency: r.currency as string,
    t0: r.t0 as number,
    t0Source: r.t0_source as PurchaseRecord["t0Source"],
    deadlineAt: r.deadline_at as number,
    guardAt: r.guard_at as number,
    closeAt: r.close_at as number,
    returnOrigin: r.return_origin as string,
    state: r.state as PurchaseRecord["state"],
    winningPaymentId: (r.winning_payment_id as string | null) ?? null,
    finalizeAttempts: r.finalize_attempts as number,
    finalizeInFlight: r.finalize_in_flight === 1,
    finalizeAmbiguous: r.finalize_ambiguous === 1,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    version: r.version as number,
  };
}

function toCheckout(r: Row): CheckoutRecord {
  return {
    purchaseId: r.purchase_id as string,
    attempt: r.attempt as number,
    provider: r.provider as string,
    idempotencyKey: r.idempotency_key as string,
    providerSessionId: (r.provider_session_id as string | null) ?? null,
    redirectUrl: (r.redirect_url as string | null) ?? null,
    expiresAt: (r.expires_at as number | null) ?? null,
    state: r.state as CheckoutRecord["state"],
    createdAt: r.created_at as number,
  };
}

function toPayment(r: Row): PaymentRecord {
  return {
    provider: r.provider as string,
    providerPaymentId: r.provider_payment_id as string,
    purchaseId: (r.purchase_id as string | null) ?? null,
    providerSessionId: (r.provider_session_id as string | null) ?? null,
    amountMinor: (r.amount_minor as number | null) ?? null,
    currency: (r.currency as string | null) ?? null,
    state: r.state as PaymentRecord["state"],
  };
}

function toJob(r: Row): JobRecord {
  return {
    id: r.id as number,
    dedupe: r.dedupe as string,
    purchaseId: (r.purchase_id as string | null) ?? null,
    kind: r.kind as JobRecord["kind"],
    payload: JSON.parse(r.payload as string) as Record<string, unknown>,
    notBefore: r.not_before as number,
    attempts: r.attempts as number,
    lockedBy: (r.locked_by as string | null) ?? null,
    lockedUntil: (r.locked_until as number | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
  };
}

function toRefund(r: Row): RefundRecord {
  return {
    refundKey: r.refund_key as string,
    purchaseId: (r.purchase_id as string | null) ?? null,
    provider: r.provider as string,
    providerPaymentId: r.provider_payment_id as string,
    providerRefundId: (r.provider_refund_id as string | null) ?? null,
    amountMinor: r.amount_minor as number,
    currency: r.currency as string,
    reason: r.reason as RefundRecord["reason"],
    state: r.state as RefundRecord["state"],
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

function toDeadLetter(r: Row): DeadLetterRecord {
  return {
    id: r.id as number,
    purchaseId: (r.purchase_id as string | null) ?? null,
    kind: r.kind as string,
    reason: r.reason as string,
    detail: (r.detail as string | null) ?? null,
    createdAt: r.created_at as number,
    resolvedAt: (r.resolved_at as number | null) ?? null,
  };
}

/** Open (or create) the SQLite file at `path` (":memory:" for a throwaway store) and migrate it. */
export function openSqliteStore(path: string, options: { busyTimeoutMs?: number } = {}): PaymentStore {
  let db: Database.Database;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    db.pragma("foreign_keys = ON");
    migrate(db);
  } catch (error) {
    throw new StoreError(
      `Could not open the SQLite store at ${path}: ${(error as Error).message}. Check STORE_URL and the folder's permissions.`,
      error,
    );
  }

  // Each SQL text is compiled once and its statement reused: compiling on every call cost more than
  // running most of these statements.
  const statements = new Map<string, Database.Statement>();
  function prepare(sql: string): Database.Statement {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  }

  /** Run `fn` as one BEGIN IMMEDIATE transaction; any failure becomes a StoreError unless it is ours. */
  function write<T>(what: string, fn: () => T): T {
    try {
      return db.transaction(fn).immediate();
    } catch (error) {
      if (error instanceof StaleLeaseError || error instanceof VersionConflictError) throw error;
      throw new StoreError(`Store could not ${what}: ${(error as Error).message}`, error);
    }
  }
  function read<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw new StoreError(`Store could not ${what}: ${(error as Error).message}`, error);
    }
  }

  function storeWebhookEvents(events: PaymentEvent[], now: number): WebhookOutcome {
    let stored = 0;
    let duplicates = 0;
    for (const e of events) {
      const inserted = prepare(
        `INSERT INTO webhook_event (provider, dedupe_key, type, signal, purchase_id, provider_payment_id, provider_session_id, live, occurred_at, received_at, outcome)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'stored') ON CONFLICT DO NOTHING`,
      ).run(
        e.provider,
        e.dedupeKey,
        e.type,
        e.signal,
        e.purchaseId,
        e.providerPaymentId,
        e.providerSessionId,
        e.live ? 1 : 0,
        e.occurredAt.getTime(),
        now,
      );
      if (inserted.changes === 0) {
        duplicates += 1;
        continue;
      }
      stored += 1;
      applyEvent(e, now);
    }
    return { stored, duplicates };
  }

  interface PendingWebhook {
    events: PaymentEvent[];
    now: number;
    resolve: (outcome: WebhookOutcome) => void;
    reject: (error: unknown) => void;
  }
  let pendingWebhooks: PendingWebhook[] = [];

  function flushWebhooks(): void {
    const batch = pendingWebhooks;
    pendingWebhooks = [];
    const results: Array<{ ok: WebhookOutcome } | { error: unknown }> = [];
    try {
      write("store webhooks", () => {
        for (const item of batch) {
          try {
            results.push({ ok: db.transaction(() => storeWebhookEvents(item.events, item.now))() });
          } catch (error) {
            results.push({
              error: new StoreError(`Store could not store a webhook: ${(error as Error).message}`, error),
            });
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const result = results[i];
      if (result && "ok" in result) item.resolve(result.ok);
      else item.reject(result?.error ?? new StoreError("Store could not store a webhook: no result", null));
    });
  }

  const enqueue = (job: NewJob, now: number) => {
    // A job with the same dedupe key is re-armed, not duplicated: a finished one becomes due again,
    // a leased one is flagged so the worker runs it once more after the current pass. A timer never
    // run yet (guard, close) may be brought forward; a retry keeps its time (it may honour Retry-After).
    prepare(
      `INSERT INTO outbox (dedupe, purchase_id, kind, payload, not_before, state, created_at, updated_at)
       VALUES (@dedupe, @purchaseId, @kind, @payload, @notBefore, 'pending', @now, @now)
       ON CONFLICT(dedupe) DO UPDATE SET
         state = 'pending',
         rearm = CASE WHEN outbox.state = 'pending' AND outbox.locked_until IS NOT NULL AND outbox.locked_until > @now THEN 1 ELSE outbox.rearm END,
         not_before = CASE WHEN outbox.state = 'done' THEN excluded.not_before
           WHEN outbox.attempts = 0 THEN min(outbox.not_before, excluded.not_before) ELSE outbox.not_before END,
         attempts = CASE WHEN outbox.state = 'done' THEN 0 ELSE outbox.attempts END,
         updated_at = @now`,
    ).run({ ...job, payload: JSON.stringify(job.payload), now });
  };

  const addDeadLetter = (
    d: { purchaseId: string | null; kind: string; reason: string; detail?: string | null },
    now: number,
  ) => {
    prepare(
      `INSERT INTO dead_letter (purchase_id, kind, reason, detail, created_at) VALUES (?, ?, ?, ?, ?)`,
    ).run(d.purchaseId, d.kind, d.reason, d.detail ?? null, now);
  };

  const getPurchaseRow = (id: string) => {
    const row = prepare(`SELECT * FROM purchase WHERE purchase_id = ?`).get(id) as Row | undefined;
    return row ? toPurchase(row) : null;
  };

  const store: PaymentStore = {
    async ping() {
      read("answer a ping", () => prepare("SELECT 1").get());
    },
    async getPurchase(purchaseId) {
      return read("read a purchase", () => getPurchaseRow(purchaseId));
    },
    async listCheckouts(purchaseId) {
      return read("list checkouts", () =>
        (
          prepare(`SELECT * FROM checkout WHERE purchase_id = ? ORDER BY attempt`).all(purchaseId) as Row[]
        ).map(toCheckout),
      );
    },
    async getPayment(provider, providerPaymentId) {
      return read("read a payment", () => {
        const row = prepare(`SELECT * FROM payment WHERE provider = ? AND provider_payment_id = ?`).get(
          provider,
          providerPaymentId,
        ) as Row | undefined;
        return row ? toPayment(row) : null;
      });
    },
    async listPayments(purchaseId) {
      return read("list payments", () =>
        (
          prepare(`SELECT * FROM payment WHERE purchase_id = ? ORDER BY created_at, provider_payment_id`).all(
            purchaseId,
          ) as Row[]
        ).map(toPayment),
      );
    },
    async listRefunds(purchaseId) {
      return read("list refunds", () =>
        (purchaseId === undefined
          ? (prepare(`SELECT * FROM refund ORDER BY created_at`).all() as Row[])
          : (prepare(`SELECT * FROM refund WHERE purchase_id = ? ORDER BY created_at`).all(
              purchaseId,
            ) as Row[])
        ).map(toRefund),
      );
    },
    async listDeadLetters() {
      return read("list dead letters", () =>
        (prepare(`SELECT * FROM dead_letter ORDER BY id`).all() as Row[]).map(toDeadLetter),
      );
    },
    async listJobs() {
      return read("list jobs", () => (prepare(`SELECT * FROM outbox ORDER BY id`).all() as Row[]).map(toJob));
    },

    async beginCheckout({ purchase, provider, now, idempotencyKeyFor, jobs }): Promise<BeginCheckoutResult> {
      return write("start a checkout", () => {
        prepare(
          `INSERT INTO purchase (purchase_id, mode, readable_event_id, user_id, event_name, attendees_json, expected_minor, currency,
             t0, t0_source, deadline_at, guard_at, close_at, return_origin, state, created_at, updated_at)
           VALUES (@purchaseId, @mode, @readableEventId, @userId, @eventName, @attendeesJson, @expectedMinor, @currency,
             @t0, @t0Source, @deadlineAt, @guardAt, @closeAt, @returnOrigin, 'awaiting_payment', @now, @now)
           ON CONFLICT(purchase_id) DO UPDATE SET
             return_origin = excluded.return_origin, event_name = excluded.event_name, attendees_json = excluded.attendees_json,
             updated_at = excluded.updated_at, version = purchase.version + 1
           WHERE purchase.state = 'awaiting_payment'`,
        ).run({ ...purchase, attendeesJson: JSON.stringify(purchase.attendees), now });
        const stored = getPurchaseRow(purchase.purchaseId)!;
        const rows = (
          prepare(`SELECT * FROM checkout WHERE purchase_id = ? ORDER BY attempt DESC`).all(
            purchase.purchaseId,
          ) as Row[]
        ).map(toCheckout);
        const open = rows.find((c) => c.state === "open" && c.expiresAt !== null && c.expiresAt > now);
        if (open) return { purchase: stored, checkout: open };
        const creating = rows.find((c) => c.state === "creating");
        if (creating) return { purchase: stored, checkout: creating };
        // Older open sessions past their expiry are closed in the book before a new attempt.
        prepare(
          `UPDATE checkout SET state = 'expired' WHERE purchase_id = ? AND state = 'open' AND expires_at <= ?`,
        ).run(purchase.purchaseId, now);
        const attempt = (rows[0]?.attempt ?? 0) + 1;
        const key = idempotencyKeyFor(attempt);
        prepare(
          `INSERT INTO checkout (purchase_id, attempt, provider, idempotency_key, state, created_at) VALUES (?, ?, ?, ?, 'creating', ?)`,
        ).run(purchase.purchaseId, attempt, provider, key, now);
        for (const job of jobs) enqueue(job, now);
        const checkout = toCheckout(
          prepare(`SELECT * FROM checkout WHERE purchase_id = ? AND attempt = ?`).get(
            purchase.purchaseId,
            attempt,
          ) as Row,
        );
        return { purchase: stored, checkout };
      });
    },

    async recordCheckoutSession({ purchaseId, attempt, providerSessionId, redirectUrl, expiresAt }) {
      write("record a checkout session", () => {
        prepare(
          `UPDATE checkout SET provider_session_id = ?, redirect_url = ?, expires_at = ?, state = 'open'
           WHERE purchase_id = ? AND attempt = ? AND state IN ('creating', 'open')`,
        ).run(providerSessionId, redirectUrl, expiresAt, purchaseId, attempt);
      });
    },

    recordWebhook(events: PaymentEvent[], now: number): Promise<WebhookOutcome> {
      // Group commit: webhooks that arrive in the same turn of the event loop share one transaction,
      // so one fsync acknowledges them all (a burst of hundreds per second would otherwise queue
      // behind one fsync each). Each webhook has its own savepoint: a failure undoes that one only.
      return new Promise((resolve, reject) => {
        pendingWebhooks.push({ events, now, resolve, reject });
        if (pendingWebhooks.length === 1) setImmediate(flushWebhooks);
      });
    },

    async enqueueJob(job, now) {
      write("enqueue a job", () => enqueue(job, now));
    },

    async claimJobs({ workerId, limit, now, leaseMs }) {
      // Due finalize jobs go first: Dataverse's budget is the scarce resource in a burst, and a
      // backlog of payment jobs (which only read Stripe) must not leave it unused while the
      // deadlines run. The other kinds take their turn whenever no finalize is due.
      return write("claim jobs", () => {
        const dueSql = (kindFilter: string) =>
          `SELECT * FROM outbox o WHERE o.state = 'pending' ${kindFilter} AND o.not_before <= @now
             AND (o.locked_until IS NULL OR o.locked_until <= @now)
             AND (o.purchase_id IS NULL OR NOT EXISTS (
               SELECT 1 FROM outbox x WHERE x.purchase_id = o.purchase_id AND x.id <> o.id
                 AND x.state = 'pending' AND x.locked_until IS NOT NULL AND x.locked_until > @now))
           ORDER BY o.not_before, o.id LIMIT @scan`;
        const finalizes = prepare(dueSql("AND o.kind = 'finalize'")).all({ now, scan: limit * 8 }) as Row[];
        const any = prepare(dueSql("")).all({ now, scan: limit * 8 }) as Row[];
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
          prepare(
            `UPDATE outbox SET locked_by = ?, locked_until = ?, attempts = attempts + 1, rearm = 0, updated_at = ? WHERE id = ?`,
          ).run(workerId, now + leaseMs, now, job.id);
          claimed.push({
            ...job,
            lockedBy: workerId,
            lockedUntil: now + leaseMs,
            attempts: job.attempts + 1,
          });
        }
        return claimed;
      });
    },

    async commitJob(jobId, workerId, effects: JobEffects, now) {
      write("commit a job step", () => {
        const job = prepare(`SELECT * FROM outbox WHERE id = ?`).get(jobId) as Row | undefined;
        if (
          !job ||
          job.locked_by !== workerId ||
          job.state !== "pending" ||
          (job.locked_until as number) < now
        ) {
          throw new StaleLeaseError(jobId, workerId);
        }
        if (effects.purchase) {
          const { purchaseId, expectedVersion, set } = effects.purchase;
          const columns = Object.keys(set) as Array<keyof PurchasePatch>;
          const assignments = columns.map((k) => `${PATCH_COLUMNS[k]} = @${k}`);
          const params: Record<string, unknown> = { purchaseId, expectedVersion, now };
          for (const k of columns) {
            const v = set[k];
            params[k] = typeof v === "boolean" ? (v ? 1 : 0) : v;
          }
          const result = prepare(
            `UPDATE purchase SET ${[...assignments, "updated_at = @now", "version = version + 1"].join(", ")}
               WHERE purchase_id = @purchaseId AND version = @expectedVersion`,
          ).run(params);
          if (result.changes !== 1) throw new VersionConflictError(purchaseId, expectedVersion);
        }
        for (const p of effects.payments ?? []) {
          prepare(
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
        for (const c of effects.checkouts ?? []) {
          prepare(`UPDATE checkout SET state = ? WHERE purchase_id = ? AND provider_session_id = ?`).run(
            c.state,
            c.purchaseId,
            c.providerSessionId,
          );
        }
        for (const r of effects.refunds ?? []) {
          prepare(
            `INSERT INTO refund (refund_key, purchase_id, provider, provider_payment_id, amount_minor, currency, reason, state, created_at, updated_at)
             VALUES (@refundKey, @purchaseId, @provider, @providerPaymentId, @amountMinor, @currency, @reason, 'requested', @now, @now)
             ON CONFLICT DO NOTHING`,
          ).run({ ...r, now });
        }
        for (const u of effects.refundUpdates ?? []) {
          prepare(
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
        for (const d of effects.deadLetters ?? []) addDeadLetter(d, now);
        for (const j of effects.jobs ?? []) enqueue(j, now);
        const next = effects.next;
        if (next.kind === "done") {
          prepare(
            `UPDATE outbox SET state = CASE WHEN rearm = 1 THEN 'pending' ELSE 'done' END, rearm = 0,
               locked_by = NULL, locked_until = NULL, updated_at = ? WHERE id = ?`,
          ).run(now, jobId);
        } else if (next.kind === "retry") {
          prepare(
            `UPDATE outbox SET not_before = ?, rearm = 0, locked_by = NULL, locked_until = NULL,
               last_error = ?, updated_at = ? WHERE id = ?`,
          ).run(next.at, next.error.slice(0, 2000), now, jobId);
        }
      });
    },

    async nextDueAt() {
      return read("find the next due job", () => {
        const row = prepare(
          `SELECT min(max(not_before, coalesce(locked_until, 0))) AS t FROM outbox WHERE state = 'pending'`,
        ).get() as Row;
        return (row.t as number | null) ?? null;
      });
    },

    async reconcileReport(): Promise<ReconcileReport> {
      return read("build the reconciliation report", () => ({
        paidNotFinalized: (
          prepare(
            `SELECT * FROM purchase WHERE state IN ('paid', 'finalizing') ORDER BY deadline_at`,
          ).all() as Row[]
        ).map(toPurchase),
        refundsOpen: (
          prepare(
            `SELECT * FROM refund WHERE state IN ('requested', 'pending', 'failed') ORDER BY created_at`,
          ).all() as Row[]
        ).map(toRefund),
        deadLetters: (
          prepare(`SELECT * FROM dead_letter WHERE resolved_at IS NULL ORDER BY id`).all() as Row[]
        ).map(toDeadLetter),
      }));
    },

    async close() {
      if (db.open) db.close();
    },
  };

  /** The state change a verified event causes inside the webhook transaction (the worker decides the rest). */
  function applyEvent(e: PaymentEvent, now: number): void {
    const purchase = e.purchaseId ? getPurchaseRow(e.purchaseId) : null;
    if (e.providerPaymentId && (e.signal === "paid" || e.signal === "pending")) {
      prepare(
        `INSERT INTO payment (provider, provider_payment_id, purchase_id, provider_session_id, amount_minor, currency, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'reported', ?, ?) ON CONFLICT DO NOTHING`,
      ).run(
        e.provider,
        e.providerPaymentId,
        e.purchaseId,
        e.providerSessionId,
        e.amount?.minor ?? null,
        e.amount?.currency ?? null,
        now,
        now,
      );
    }
    if (e.signal === "paid" && purchase && purchase.state === "awaiting_payment") {
      prepare(
        `UPDATE purchase SET state = 'paid', updated_at = ?, version = version + 1 WHERE purchase_id = ? AND version = ?`,
      ).run(now, purchase.purchaseId, purchase.version);
    }
    if ((e.signal === "refunded" || e.signal === "refund_failed") && e.providerPaymentId) {
      applyRefundSignal(e, now);
      return;
    }
    if (e.signal === "ignored") return;
    const ref = e.providerSessionId ?? e.providerPaymentId;
    if (!ref) return;
    enqueue(
      {
        dedupe: `payment:${e.provider}:${ref}`,
        purchaseId: e.purchaseId,
        kind: "payment",
        payload: {
          provider: e.provider,
          providerSessionId: e.providerSessionId,
          providerPaymentId: e.providerPaymentId,
          hintPurchaseId: e.purchaseId,
        },
        notBefore: now,
      },
      now,
    );
  }

  function applyRefundSignal(e: PaymentEvent, now: number): void {
    const failed = e.signal === "refund_failed";
    const open = (
      prepare(
        `SELECT * FROM refund WHERE provider = ? AND provider_payment_id = ? AND state IN ('requested', 'pending')`,
      ).all(e.provider, e.providerPaymentId) as Row[]
    ).map(toRefund);
    for (const r of open) {
      prepare(`UPDATE refund SET state = ?, updated_at = ? WHERE refund_key = ?`).run(
        failed ? "failed" : "succeeded",
        now,
        r.refundKey,
      );
      if (failed)
        addDeadLetter(
          {
            purchaseId: r.purchaseId,
            kind: "refund",
            reason: "refund_failed",
            detail: `provider reported the refund of ${r.providerPaymentId} failed`,
          },
          now,
        );
    }
    prepare(
      `UPDATE payment SET state = ?, updated_at = ? WHERE provider = ? AND provider_payment_id = ?`,
    ).run(failed ? "refund_failed" : "refunded", now, e.provider, e.providerPaymentId);
    const purchaseId = open[0]?.purchaseId ?? e.purchaseId;
    const purchase = purchaseId ? getPurchaseRow(purchaseId) : null;
    if (
      purchase &&
      purchase.winningPaymentId === e.providerPaymentId &&
      purchase.state === "refund_pending"
    ) {
      prepare(
        `UPDATE purchase SET state = ?, updated_at = ?, version = version + 1 WHERE purchase_id = ?`,
      ).run(failed ? "failed" : "refunded", now, purchase.purchaseId);
    }
  }

  return store;
}

function migrate(db: Database.Database): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const applied = new Set(
    (db.prepare(`SELECT version FROM schema_migrations`).all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  );
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...MIGRATIONS.map((m) => m.version));
  if (newest > known) {
    throw new Error(
      `the database is at schema version ${newest}, newer than this code (${known}); run the newer release or restore a backup`,
    );
  }
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`).run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }).immediate();
  }
}
