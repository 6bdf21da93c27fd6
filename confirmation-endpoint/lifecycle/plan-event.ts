// What a verified provider event leads to when it is stored. Nothing here changes a purchase: an
// event is only a hint (it may be replayed, reordered, or name another purchase), so it records the
// payment it reports and enqueues the job that re-reads the provider's object and decides. The store
// writes the plan in the webhook's transaction, and only for an event it had not seen.

import type { PaymentEvent } from "../providers/types";
import type { NewJob, PaymentRecord } from "../store/types";
import { paymentJob, refundSignalJob } from "./jobs";

export interface PlannedEvent {
  event: PaymentEvent;
  /** A payment the event reports, kept as "reported" until its payment job decides (never overwritten). */
  reportedPayment: Omit<PaymentRecord, "state"> | null;
  jobs: NewJob[];
}

export function planEvent(e: PaymentEvent, now: number): PlannedEvent {
  const reports = e.signal === "paid" || e.signal === "pending" || e.signal === "approved";
  const reportedPayment =
    reports && e.providerPaymentId
      ? {
          provider: e.provider,
          providerPaymentId: e.providerPaymentId,
          purchaseId: e.purchaseId,
          providerSessionId: e.providerSessionId,
          amountMinor: e.amount?.minor ?? null,
          currency: e.amount?.currency ?? null,
        }
      : null;
  return { event: e, reportedPayment, jobs: jobsFor(e, now) };
}

export function planEvents(events: PaymentEvent[], now: number): PlannedEvent[] {
  return events.map((e) => planEvent(e, now));
}

function jobsFor(e: PaymentEvent, now: number): NewJob[] {
  if (e.signal === "ignored") return [];
  if (e.signal === "refunded" || e.signal === "refund_failed") {
    if (!e.providerPaymentId) return [];
    const payload = {
      provider: e.provider,
      providerPaymentId: e.providerPaymentId,
      providerRefundId: e.providerRefundId ?? null,
      purchaseId: e.purchaseId,
      failed: e.signal === "refund_failed",
    };
    return [refundSignalJob(payload, e.dedupeKey, now)];
  }
  if (!e.providerSessionId && !e.providerPaymentId) return [];
  const payload = {
    provider: e.provider,
    providerSessionId: e.providerSessionId,
    providerPaymentId: e.providerPaymentId,
    hintPurchaseId: e.purchaseId,
  };
  return [paymentJob(payload, now)];
}
