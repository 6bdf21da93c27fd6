// A refund-signal job: the provider reported by webhook that a payment's refund succeeded or
// failed. Every refund the kit has open on that payment takes that result (decideRefundResult, as
// for the refund job's own answer); a refund the kit never asked for (made in the provider's
// dashboard) only marks the payment. A partial refund the kit made leaves the payment as it was:
// its refund records carry the amount, and "refunded" would claim the whole payment went back.

import { decideRefundResult, winnerPurchase } from "../lifecycle/decide-refund";
import { typedJob, type RefundSignalJobPayload } from "../lifecycle/jobs";
import type { JobEffects, RefundRecord } from "../store/types";
import type { StepContext, StepResult } from "./context";

export async function handleRefundSignalJob(ctx: StepContext): Promise<StepResult> {
  const { payload: p } = typedJob(ctx.job, "refund_signal");
  const status = p.failed ? "failed" : "succeeded";
  const refunds = await ctx.store.listRefunds(p.purchaseId ?? undefined);
  const open = refunds.filter(
    (r) =>
      r.provider === p.provider &&
      r.providerPaymentId === p.providerPaymentId &&
      (r.state === "requested" || r.state === "pending"),
  );
  const effects: JobEffects = { refundUpdates: [], payments: [], deadLetters: [], next: { kind: "done" } };
  const purchaseId = open[0]?.purchaseId ?? p.purchaseId;
  const purchase = purchaseId ? await ctx.store.getPurchase(purchaseId) : null;
  for (const refund of open) {
    const one = decideRefundResult({
      refund,
      status,
      providerRefundId: p.providerRefundId,
      failure: null,
      winnerOf: effects.purchase ? null : winnerPurchase(refund, purchase),
    });
    effects.refundUpdates!.push(...(one.refundUpdates ?? []));
    effects.deadLetters!.push(...(one.deadLetters ?? []));
    if (one.purchase) effects.purchase = one.purchase;
  }
  // The payment row follows the signal whether or not the kit asked for the refund, unless the
  // kit's own refunds (those settled before and these) still leave part of the payment kept.
  if (p.failed || !(await keepsPart(ctx, p, refunds, open)))
    effects.payments!.push({
      provider: p.provider,
      providerPaymentId: p.providerPaymentId,
      purchaseId: null,
      providerSessionId: null,
      amountMinor: null,
      currency: null,
      state: p.failed ? "refund_failed" : "refunded",
    });
  if (p.failed && open.length > 0)
    ctx.metrics.increment("gateway_dead_letters_total", { kind: "refund" }, open.length);
  return {
    outcome: `refund_signal_${status}`,
    fields: { providerPaymentId: p.providerPaymentId, refunds: open.length },
    effects,
  };
}

/**
 * True when the signal is about one of the kit's own refunds (still open, or already settled by the
 * refund's own answer under the same provider refund id) and the kit's refunds on the payment, with
 * `open` now succeeding, stay below the payment's amount. A refund the kit never asked for (made in
 * the provider's dashboard) is not its to measure: false.
 */
async function keepsPart(
  ctx: StepContext,
  p: RefundSignalJobPayload,
  refunds: RefundRecord[],
  open: RefundRecord[],
): Promise<boolean> {
  const onPayment = refunds.filter(
    (r) => r.provider === p.provider && r.providerPaymentId === p.providerPaymentId,
  );
  const known =
    open.length > 0 ||
    (p.providerRefundId !== null && onPayment.some((r) => r.providerRefundId === p.providerRefundId));
  if (!known) return false;
  const payment = await ctx.store.getPayment(p.provider, p.providerPaymentId);
  if (payment?.amountMinor == null) return false;
  const refunded = onPayment
    .filter((r) => r.state === "succeeded" || open.includes(r))
    .reduce((sum, r) => sum + r.amountMinor, 0);
  return refunded < payment.amountMinor;
}
