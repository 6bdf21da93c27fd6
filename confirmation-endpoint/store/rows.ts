// Rows of the store tables as records, and back: column names live here only. SQLite and
// PostgreSQL share the column names and types (flags as 0/1 integers, times as epoch ms).

import type {
  CheckoutRecord,
  DeadLetterRecord,
  JobRecord,
  PaymentRecord,
  PurchasePatch,
  PurchaseRecord,
  RefundRecord,
} from "./types";

export type Row = Record<string, unknown>;

export const PATCH_COLUMNS: Record<keyof PurchasePatch, string> = {
  state: "state",
  winningPaymentId: "winning_payment_id",
  winningProvider: "winning_provider",
  finalizeAttempts: "finalize_attempts",
  finalizeInFlight: "finalize_in_flight",
  finalizeAmbiguous: "finalize_ambiguous",
  lastError: "last_error",
};

export function toPurchase(r: Row): PurchaseRecord {
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
    confirmationPath: (r.confirmation_path as string | null) ?? null,
    state: r.state as PurchaseRecord["state"],
    winningPaymentId: (r.winning_payment_id as string | null) ?? null,
    winningProvider: (r.winning_provider as string | null) ?? null,
    finalizeAttempts: r.finalize_attempts as number,
    finalizeInFlight: r.finalize_in_flight === 1,
    finalizeAmbiguous: r.finalize_ambiguous === 1,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    version: r.version as number,
  };
}

export function toCheckout(r: Row): CheckoutRecord {
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

export function toPayment(r: Row): PaymentRecord {
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

export function toJob(r: Row): JobRecord {
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

export function toRefund(r: Row): RefundRecord {
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
    note: (r.note as string | null | undefined) ?? null,
    requestedBy: (r.requested_by as string | null | undefined) ?? null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

export function toDeadLetter(r: Row): DeadLetterRecord {
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
