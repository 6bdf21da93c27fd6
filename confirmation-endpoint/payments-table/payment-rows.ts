// What the payments table should say of a purchase, derived from the store alone: one row per
// provider payment whose fate is decided (won, refunded or being refunded, settled elsewhere), with
// its status and the amount refunded so far. Pure: the worker reads the store and hands it in, so
// any change to the purchase, its payments or its refunds (whoever made it) gives the same rows.

import type { PaymentRecord, PurchaseRecord, RefundRecord } from "../store/types";
import type { PaymentRowStatus } from "./definition";

export interface PaymentRow {
  provider: string;
  providerPaymentId: string;
  purchaseId: string;
  readableEventId: string;
  contactId: string | null;
  amountMinor: number;
  currency: string;
  status: PaymentRowStatus;
  refundedMinor: number;
  checkoutStartedAt: number;
  statusChangedAt: number;
  deploymentId: string;
}

const DECIDED = new Set(["winner", "refunding", "refunded", "refund_failed", "settled"]);

function refundedOf(refunds: RefundRecord[]): number {
  return refunds.filter((r) => r.state === "succeeded").reduce((sum, r) => sum + r.amountMinor, 0);
}

function statusOf(
  purchase: PurchaseRecord,
  payment: PaymentRecord,
  amountMinor: number,
  refunds: RefundRecord[],
): PaymentRowStatus {
  const refunded = refundedOf(refunds);
  if (amountMinor > 0 && refunded >= amountMinor) return "refunded";
  if (refunds.some((r) => r.state === "requested" || r.state === "pending")) return "refund_pending";
  if (payment.state === "refunded") return "refunded";
  if (payment.state === "refunding") return "refund_pending";
  if (payment.state === "refund_failed") return "failed";
  if (refunded > 0) return "partially_refunded";
  if (payment.state === "settled") return "paid";
  // The winning payment follows its purchase.
  switch (purchase.state) {
    case "finalized":
      return "finalized";
    case "refund_pending":
      return "refund_pending";
    case "refunded":
      return "refunded";
    case "failed":
      return refunds.some((r) => r.state === "failed") ? "failed" : "paid";
    default:
      return "paid";
  }
}

export function paymentRows(
  purchase: PurchaseRecord,
  payments: PaymentRecord[],
  refunds: RefundRecord[],
  deploymentId: string,
): PaymentRow[] {
  const rows: PaymentRow[] = [];
  for (const payment of payments) {
    if (!DECIDED.has(payment.state)) continue;
    const own = refunds.filter(
      (r) => r.provider === payment.provider && r.providerPaymentId === payment.providerPaymentId,
    );
    const amountMinor = payment.amountMinor ?? purchase.expectedMinor;
    const lastRefundAt = own.reduce((t, r) => Math.max(t, r.updatedAt), 0);
    rows.push({
      provider: payment.provider,
      providerPaymentId: payment.providerPaymentId,
      purchaseId: purchase.purchaseId,
      readableEventId: purchase.readableEventId,
      contactId: purchase.userId === "" ? null : purchase.userId,
      amountMinor,
      currency: (payment.currency ?? purchase.currency).toUpperCase(),
      status: statusOf(purchase, payment, amountMinor, own),
      refundedMinor: refundedOf(own),
      checkoutStartedAt: purchase.createdAt,
      statusChangedAt: Math.max(purchase.updatedAt, lastRefundAt),
      deploymentId,
    });
  }
  return rows;
}
