// The store contract (spec §5.3): command-style methods, each one transaction, no callback
// transactions exposed, so every backend (SQLite, PostgreSQL) is interchangeable; test/store/ runs one
// contract suite against each. The store persists and claims; it decides nothing (the lifecycle
// module does). Times are epoch milliseconds from the injected clock.
//
// Guarantees the worker relies on, which every backend must give:
// - Durability: a method that resolves has committed (recordWebhook before the 2xx).
// - Idempotent events: an event is stored once per (provider, dedupeKey); a replay changes nothing.
// - Idempotent jobs: one job per dedupe key; enqueueing it again re-arms it, never duplicates it.
// - One job per purchase in flight: claimJobs never leases a job whose purchase has another leased job.
// - Leases with fencing: commitJob and renewLease throw StaleLeaseError unless the caller still
//   holds an unexpired lease, so a worker whose lease ran out cannot commit.
// - Compare-and-set: a purchase change applies only at its expectedVersion (else
//   VersionConflictError), and the whole step rolls back with it.
// - Failures are StoreError (retryable): nothing the call asked for was saved.

import type { EventMode } from "../config";
import type { JobKind } from "../lifecycle/jobs";
import type { PurchaseChange } from "../lifecycle/transitions";
import type { PlannedEvent } from "../lifecycle/plan-event";
import type { RefundCause } from "../providers/types";

import type { PurchaseStatus } from "../contract/v1";

/** The purchase's status as the v1 contract names it (GET /v1/purchases/{id}/status). */
export type { PurchaseStatus };

export interface AttendeeSummary {
  name: string | null;
  passName: string | null;
  amountMinor: number | null;
}

export interface PurchaseRecord {
  purchaseId: string;
  mode: EventMode;
  readableEventId: string;
  userId: string;
  eventName: string | null;
  attendees: AttendeeSummary[];
  expectedMinor: number;
  currency: string;
  t0: number;
  t0Source: "createdon" | "first_sight";
  deadlineAt: number;
  guardAt: number;
  closeAt: number;
  /** Origin of the portal page that started checkout; the confirmation URL points there. */
  returnOrigin: string;
  /** The portal's confirmation page path as the page sent it; null → the Event Portal's default. */
  confirmationPath: string | null;
  state: PurchaseStatus;
  winningPaymentId: string | null;
  /** The provider that took the winning payment (null on rows older than several providers). */
  winningProvider: string | null;
  finalizeAttempts: number;
  /** A finalize call was sent and its outcome not yet recorded (a crash in between leaves it set). */
  finalizeInFlight: boolean;
  /** The last finalize failure may have taken effect: probe before resending or refunding. */
  finalizeAmbiguous: boolean;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export type NewPurchase = Omit<
  PurchaseRecord,
  | "state"
  | "winningPaymentId"
  | "winningProvider"
  | "finalizeAttempts"
  | "finalizeInFlight"
  | "finalizeAmbiguous"
  | "lastError"
  | "createdAt"
  | "updatedAt"
  | "version"
>;

export type PurchasePatch = Partial<
  Pick<
    PurchaseRecord,
    | "state"
    | "winningPaymentId"
    | "winningProvider"
    | "finalizeAttempts"
    | "finalizeInFlight"
    | "finalizeAmbiguous"
    | "lastError"
  >
>;

export type CheckoutState = "creating" | "open" | "complete" | "expired" | "failed";

export interface CheckoutRecord {
  purchaseId: string;
  attempt: number;
  provider: string;
  idempotencyKey: string;
  providerSessionId: string | null;
  redirectUrl: string | null;
  expiresAt: number | null;
  state: CheckoutState;
  createdAt: number;
}

/** "settled": the store did not know its purchase, but Dataverse has it paid (nothing refunded). */
export type PaymentRecordState =
  "reported" | "winner" | "refunding" | "refunded" | "refund_failed" | "ignored" | "settled";

export interface PaymentRecord {
  provider: string;
  providerPaymentId: string;
  purchaseId: string | null;
  providerSessionId: string | null;
  amountMinor: number | null;
  currency: string | null;
  state: PaymentRecordState;
}

export type { JobKind } from "../lifecycle/jobs";

/**
 * Which jobs a worker claims. "main": every kind except BACKGROUND_KINDS (lifecycle/jobs.ts).
 * "background": only those, and only while no finalize job is pending, so work that is not on the
 * money's path (the payments table) never takes a finalize's place or its Dataverse budget.
 */
export type WorkLane = "main" | "background";

export interface JobRecord {
  id: number;
  dedupe: string;
  purchaseId: string | null;
  kind: JobKind;
  payload: Record<string, unknown>;
  notBefore: number;
  attempts: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
}

export interface NewJob {
  /** Unique among jobs: a second enqueue with the same key re-arms the job instead of adding one. */
  dedupe: string;
  purchaseId: string | null;
  kind: JobKind;
  payload: Record<string, unknown>;
  notBefore: number;
}

export type RefundState = "requested" | "pending" | "succeeded" | "failed";

export interface RefundRecord {
  refundKey: string;
  purchaseId: string | null;
  provider: string;
  providerPaymentId: string;
  providerRefundId: string | null;
  amountMinor: number;
  currency: string;
  reason: RefundCause;
  state: RefundState;
  lastError: string | null;
  /** A requested refund's own words ("--reason"); null for the kit's own refunds. */
  note: string | null;
  /** Who ran the refund command (user@host); null for the kit's own refunds. */
  requestedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A refund a person asked for (`npm run refund`), always of one purchase's winning payment. */
export interface RequestedRefund {
  /** Deterministic (purchase, amount, note): running the command twice finds this row again. */
  refundKey: string;
  purchaseId: string;
  provider: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  note: string;
  requestedBy: string;
}

/**
 * created: the row is new, ask the provider. existing: that key was asked before (whatever its state),
 * do not ask again with another key. exceeds: it would return more than was paid minus what is refunded.
 */
export type RequestRefundResult =
  | { kind: "created"; refund: RefundRecord }
  | { kind: "existing"; refund: RefundRecord }
  | { kind: "exceeds"; paidMinor: number; refundedMinor: number };

export interface DeadLetterRecord {
  id: number;
  purchaseId: string | null;
  kind: string;
  reason: string;
  detail: string | null;
  createdAt: number;
  resolvedAt: number | null;
}

export interface NewDeadLetter {
  purchaseId: string | null;
  kind: string;
  reason: string;
  detail?: string | null;
}

/** Everything a worker step changes, written in one transaction together with the job's fate. */
export interface JobEffects {
  /** Made by the lifecycle only (movePurchase / updatePurchase). */
  purchase?: PurchaseChange;
  payments?: Array<Omit<PaymentRecord, "state"> & { state: PaymentRecordState }>;
  checkouts?: Array<{ purchaseId: string; providerSessionId: string; state: CheckoutState }>;
  jobs?: NewJob[];
  refunds?: Array<
    Omit<
      RefundRecord,
      "createdAt" | "updatedAt" | "providerRefundId" | "lastError" | "state" | "note" | "requestedBy"
    >
  >;
  refundUpdates?: Array<{
    refundKey: string;
    state: RefundState;
    providerRefundId?: string | null;
    lastError?: string | null;
  }>;
  deadLetters?: NewDeadLetter[];
  /** What becomes of the job: done, retried at a time, or left leased (a step in the middle of a job). */
  next: { kind: "done" } | { kind: "retry"; at: number; error: string } | { kind: "keep" };
}

export interface WebhookOutcome {
  stored: number;
  duplicates: number;
}

export interface BeginCheckoutResult {
  purchase: PurchaseRecord;
  /** The checkout to use: an open one to hand back, or a reserved attempt (state "creating") to create. */
  checkout: CheckoutRecord;
}

export interface PruneResult {
  webhookEvents: number;
  jobs: number;
  purchases: number;
  deadLetters: number;
}

/** Counts for the reconcile command, /metrics and the benchmark (nobody outside the store reads its tables). */
export interface StoreSummary {
  purchasesByState: Partial<Record<PurchaseStatus, number>>;
  /** Smallest deadlineAt − updatedAt over finalized purchases; null when none is finalized. */
  minFinalizedSlackMs: number | null;
  refunds: number;
  deadLetters: number;
  webhookEvents: number;
  pendingJobs: number;
  /** The earliest not-before of a pending job; null when none is pending. */
  oldestPendingJobAt: number | null;
}

/**
 * What /metrics samples on every scrape: cheap, index-friendly counts of the work waiting now (not
 * the whole history, unlike summary()).
 */
export interface StoreBacklog {
  /** Pending jobs due at `now` (scheduled ones, like a guard at its deadline, are not backlog). */
  dueJobs: number;
  /** The earliest not-before among those due jobs; null when none is due. */
  oldestDueJobAt: number | null;
  /** Purchases paid and not finalized yet (paid, finalizing). */
  awaitingFinalize: number;
  /** The nearest deadline among those; null when none waits. */
  nearestDeadlineAt: number | null;
  /** Refunds asked for and not settled yet (requested, pending). */
  refundsPending: number;
  /** Refunds the provider refused or that gave up (each is also a dead letter). */
  refundsFailed: number;
  /** Dead letters nobody has resolved yet. */
  openDeadLetters: number;
}

export interface ReconcileReport {
  paidNotFinalized: PurchaseRecord[];
  /** Payments whose purchase the store did not know but Dataverse has paid: recorded, never refunded. */
  settledElsewhere: PaymentRecord[];
  refundsOpen: RefundRecord[];
  deadLetters: DeadLetterRecord[];
}

/** A refund a person asks for, with what the payment brought in; `jobs` ride along its write. */
export interface RequestRefundInput {
  refund: RequestedRefund;
  paidMinor: number;
  now: number;
  jobs?: NewJob[];
}

/** The provider's answer to a requested refund; `jobs` ride along its write. */
export interface SettleRefundInput {
  refundKey: string;
  state: Exclude<RefundState, "requested">;
  providerRefundId?: string | null;
  lastError?: string | null;
  now: number;
  jobs?: NewJob[];
}

/**
 * Dataverse holds an application user after a 429 until `heldUntil` (epoch ms): every instance on
 * this store waits it out (confirmation-endpoint/dataverse/shared-holds.ts). `userKey` names the
 * user (organisation host, tenant, client id), never its secret.
 */
export interface UserHold {
  userKey: string;
  heldUntil: number;
}

export interface PaymentStore {
  /**
   * Proves the store can write (a tiny committed write, not a read): /readyz turns 503 when the
   * disk is full, the file read-only or the database unreachable.
   */
  ping(): Promise<void>;
  getPurchase(purchaseId: string): Promise<PurchaseRecord | null>;
  listCheckouts(purchaseId: string): Promise<CheckoutRecord[]>;
  getPayment(provider: string, providerPaymentId: string): Promise<PaymentRecord | null>;
  listPayments(purchaseId: string): Promise<PaymentRecord[]>;
  listRefunds(purchaseId?: string): Promise<RefundRecord[]>;
  listDeadLetters(): Promise<DeadLetterRecord[]>;
  listJobs(): Promise<JobRecord[]>;
  /**
   * Insert the purchase if it is new (an existing row keeps its t0 and deadline), then hand back
   * the still-open checkout, or reserve the next attempt (reusing a "creating" one left by a crash),
   * and enqueue `jobs` (guard, close). One transaction.
   */
  beginCheckout(input: {
    purchase: NewPurchase;
    provider: string;
    now: number;
    idempotencyKeyFor: (attempt: number) => string;
    jobs: NewJob[];
  }): Promise<BeginCheckoutResult>;
  /**
   * Give up a reserved attempt that can never be created (its idempotency key is spent): it becomes
   * "failed", so the next beginCheckout reserves a new attempt with a new key. An open attempt whose
   * hosted page the caller has closed at the provider (superseded) becomes "expired" the same way.
   */
  abandonCheckoutAttempt(purchaseId: string, attempt: number): Promise<void>;
  recordCheckoutSession(input: {
    purchaseId: string;
    attempt: number;
    providerSessionId: string;
    redirectUrl: string;
    expiresAt: number;
  }): Promise<void>;
  /**
   * Durable before the caller answers the provider: insert each event (deduplicated on provider +
   * dedupeKey) and, for an event not seen before, its reported payment (never overwriting a row)
   * and its jobs, as the lifecycle planned them (`planEvents`). Decides nothing itself. Events
   * stored together may share one commit; each succeeds or fails on its own.
   */
  recordWebhook(planned: PlannedEvent[], now: number): Promise<WebhookOutcome>;
  /** Enqueue one job on its own (same dedupe rules as everywhere: an existing job is re-armed). */
  enqueueJob(job: NewJob, now: number): Promise<void>;
  /**
   * Lease up to `limit` due jobs of one lane (default "main"), at most one per purchase in flight.
   * The background lane yields while any finalize job is pending (see WorkLane).
   */
  claimJobs(input: {
    workerId: string;
    limit: number;
    now: number;
    leaseMs: number;
    lane?: WorkLane;
  }): Promise<JobRecord[]>;
  /** Extend a held lease to `until` (a long step renews it); StaleLeaseError when the lease is lost. */
  renewLease(jobId: number, workerId: string, until: number, now: number): Promise<void>;
  /** Apply a worker step's effects and settle the job, if this worker still holds its lease. */
  commitJob(jobId: number, workerId: string, effects: JobEffects, now: number): Promise<void>;
  /** The earliest time a job of the lane (default "main") becomes due (for the worker's timer); null when there is none. */
  nextDueAt(lane?: WorkLane): Promise<number | null>;
  reconcileReport(now: number): Promise<ReconcileReport>;
  /**
   * Record a requested refund of `refund.providerPaymentId`, one transaction: the same key again
   * answers the row already there; otherwise the amount must fit in `paidMinor` minus every refund
   * on that payment not failed (concurrent requests are serialised), and `jobs` are enqueued with it.
   */
  requestRefund(input: RequestRefundInput): Promise<RequestRefundResult>;
  /** The provider's answer to a requested refund; `jobs` (e.g. a payments-row upsert) ride along. Null when the key is unknown. */
  settleRefund(input: SettleRefundInput): Promise<RefundRecord | null>;
  /** Purchases created or changed at or after `since` (epoch ms), oldest first: the reconcile period. */
  listPurchasesSince(since: number): Promise<PurchaseRecord[]>;
  summary(): Promise<StoreSummary>;
  /** The work waiting at `now`, for the gauges of /metrics (a few indexed counts). */
  backlog(now: number): Promise<StoreBacklog>;
  /**
   * Delete what is older than `before` and can never be needed again: webhook events, finished jobs,
   * resolved dead letters, and purchases that ended with no money outstanding (with their rows).
   * Never a purchase paid but not finalized, an unsettled refund, or a pending job.
   */
  prune(before: number): Promise<PruneResult>;
  /**
   * Record that Dataverse holds an application user until `hold.heldUntil`: one row per user, which
   * only ever moves later (an earlier or equal hold changes nothing), so instances that learn of
   * holds in any order agree on the latest.
   */
  recordUserHold(hold: UserHold, now: number): Promise<void>;
  /** The recorded holds of these users (one per user that has one; ended ones included). */
  readUserHolds(userKeys: readonly string[]): Promise<UserHold[]>;
  /**
   * Optional: call `wake` when another process stores due work (PostgreSQL's LISTEN/NOTIFY), so
   * workers on every instance start at once; polling stays the safety net. Returns the unsubscribe.
   */
  watchWork?(wake: () => void): () => void;
  close(): Promise<void>;
}
