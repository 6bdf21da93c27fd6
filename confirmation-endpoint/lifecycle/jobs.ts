// The worker's jobs: one constructor per kind, so a job's dedupe key and payload are written in
// one place, and one payload union, so a handler reads its payload typed instead of casting. The
// dedupe key is what makes enqueueing idempotent: a second job with the same key re-arms the first.

import type { RefundReason } from "../providers/types";
import type { JobRecord, NewJob } from "../store/types";

export interface PaymentJobPayload {
  provider: string;
  providerSessionId: string | null;
  providerPaymentId: string | null;
  /** The purchase the event named; only a hint until the provider's object is re-read. */
  hintPurchaseId: string | null;
}

export interface PurchaseJobPayload {
  purchaseId: string;
}

export interface RefundJobPayload {
  refundKey: string;
  purchaseId: string | null;
  provider: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  reason: RefundReason;
  /** The refunded payment is the purchase's winning one: the purchase's state follows the refund. */
  winner: boolean;
}

export interface RefundSignalJobPayload {
  provider: string;
  providerPaymentId: string;
  providerRefundId: string | null;
  purchaseId: string | null;
  failed: boolean;
}

export interface JobPayloads {
  payment: PaymentJobPayload;
  finalize: PurchaseJobPayload;
  refund: RefundJobPayload;
  refund_signal: RefundSignalJobPayload;
  close_checkout: PurchaseJobPayload;
  guard: PurchaseJobPayload;
  rtm_release: PurchaseJobPayload;
  payments_table: PurchaseJobPayload;
}

export type JobKind = keyof JobPayloads;
export type JobPayload = JobPayloads[JobKind];

/** A job of one kind as the store hands it back, with its payload typed. */
export type TypedJob<K extends JobKind> = Omit<JobRecord, "kind" | "payload"> & {
  kind: K;
  payload: JobPayloads[K];
};

function job<K extends JobKind>(
  kind: K,
  dedupe: string,
  purchaseId: string | null,
  payload: JobPayloads[K],
  notBefore: number,
): NewJob {
  return { dedupe, purchaseId, kind, payload: { ...payload }, notBefore };
}

export function paymentJob(payload: PaymentJobPayload, now: number): NewJob {
  // Page and payment both: one hosted page can carry two payments (Adyen links), each decided on its own.
  const ref = [payload.providerSessionId, payload.providerPaymentId].filter(Boolean).join(":");
  return job("payment", `payment:${payload.provider}:${ref}`, payload.hintPurchaseId, payload, now);
}

export function finalizeJob(purchaseId: string, now: number): NewJob {
  return job("finalize", `finalize:${purchaseId}`, purchaseId, { purchaseId }, now);
}

export function closeCheckoutJob(purchaseId: string, at: number): NewJob {
  return job("close_checkout", `close:${purchaseId}`, purchaseId, { purchaseId }, at);
}

export function guardJob(purchaseId: string, at: number): NewJob {
  return job("guard", `guard:${purchaseId}`, purchaseId, { purchaseId }, at);
}

export function rtmReleaseJob(purchaseId: string, now: number): NewJob {
  return job("rtm_release", `rtm_release:${purchaseId}`, purchaseId, { purchaseId }, now);
}

/**
 * Jobs the main worker never claims: the background lane runs them, one at a time, and only while
 * no finalize job is pending anywhere (due, leased or waiting out a retry), so they never take a
 * finalize's place in a batch nor its share of Dataverse's limits.
 */
export const BACKGROUND_KINDS: readonly JobKind[] = ["payments_table"];

/**
 * Bring the purchase's payments-table rows in line with the store. Its purchaseId is left null on
 * purpose: the job must not hold the purchase's in-flight slot, which would make a finalize of the
 * same purchase wait for it. The dedupe key still gives one job per purchase (re-armed on change).
 */
export function paymentsTableJob(purchaseId: string, now: number): NewJob {
  return job("payments_table", `payments_table:${purchaseId}`, null, { purchaseId }, now);
}

export function refundKeyFor(providerPaymentId: string, reason: RefundReason): string {
  return `refund:${providerPaymentId}:${reason}`;
}

export function refundJob(payload: Omit<RefundJobPayload, "refundKey">, now: number): NewJob {
  const refundKey = refundKeyFor(payload.providerPaymentId, payload.reason);
  return job("refund", refundKey, payload.purchaseId, { ...payload, refundKey }, now);
}

export function refundSignalJob(payload: RefundSignalJobPayload, dedupeKey: string, now: number): NewJob {
  return job(
    "refund_signal",
    `refund_signal:${payload.provider}:${dedupeKey}`,
    payload.purchaseId,
    payload,
    now,
  );
}

/** The job with its payload typed by its kind (the store keeps payloads as JSON). */
export function typedJob<K extends JobKind>(record: JobRecord, kind: K): TypedJob<K> {
  if (record.kind !== kind) throw new Error(`job ${record.id} is a ${record.kind} job, not ${kind}`);
  return record as unknown as TypedJob<K>;
}
