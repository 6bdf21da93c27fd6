// The PaymentStore seam (spec §5.3): command-style methods, each one transaction, no callback
// transactions exposed, so the synchronous SQLite implementation and a future PostgreSQL one are
// interchangeable. Times are epoch milliseconds from the injected clock.

import type { EventMode } from "../config";
import type { PaymentEvent, RefundReason } from "../providers/types";

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
  state: PurchaseStatus;
  winningPaymentId: string | null;
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
    "state" | "winningPaymentId" | "finalizeAttempts" | "finalizeInFlight" | "finalizeAmbiguous" | "lastError"
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

export type PaymentRecordState =
  "reported" | "winner" | "refunding" | "refunded" | "refund_failed" | "ignored";

export interface PaymentRecord {
  provider: string;
  providerPaymentId: string;
  purchaseId: string | null;
  providerSessionId: string | null;
  amountMinor: number | null;
  currency: string | null;
  state: PaymentRecordState;
}

/** rtm_release: tell Dynamics (real-time journeys) that an unpaid or refunded purchase is cancelled. */
export type JobKind = "payment" | "finalize" | "refund" | "close_checkout" | "guard" | "rtm_release";

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
  reason: RefundReason;
  state: RefundState;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

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
  purchase?: { purchaseId: string; expectedVersion: number; set: PurchasePatch };
  payments?: Array<Omit<PaymentRecord, "state"> & { state: PaymentRecordState }>;
  checkouts?: Array<{ purchaseId: string; providerSessionId: string; state: CheckoutState }>;
  jobs?: NewJob[];
  refunds?: Array<Omit<RefundRecord, "createdAt" | "updatedAt" | "providerRefundId" | "lastError" | "state">>;
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

export interface ReconcileReport {
  paidNotFinalized: PurchaseRecord[];
  refundsOpen: RefundRecord[];
  deadLetters: DeadLetterRecord[];
}

export interface PaymentStore {
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
  recordCheckoutSession(input: {
    purchaseId: string;
    attempt: number;
    providerSessionId: string;
    redirectUrl: string;
    expiresAt: number;
  }): Promise<void>;
  /**
   * One transaction: insert each event (deduplicated on provider + dedupeKey), upsert its payment,
   * move an awaiting purchase to "paid" on a paid signal, and enqueue the worker's job.
   */
  recordWebhook(events: PaymentEvent[], now: number): Promise<WebhookOutcome>;
  /** Enqueue one job on its own (same dedupe rules as everywhere: an existing job is re-armed). */
  enqueueJob(job: NewJob, now: number): Promise<void>;
  /** Lease up to `limit` due jobs, at most one per purchase in flight. */
  claimJobs(input: { workerId: string; limit: number; now: number; leaseMs: number }): Promise<JobRecord[]>;
  /** Apply a worker step's effects and settle the job, if this worker still holds its lease. */
  commitJob(jobId: number, workerId: string, effects: JobEffects, now: number): Promise<void>;
  /** The earliest time a job becomes due (for the worker's timer); null when there is none. */
  nextDueAt(): Promise<number | null>;
  reconcileReport(now: number): Promise<ReconcileReport>;
  close(): Promise<void>;
}
