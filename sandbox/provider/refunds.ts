// Refunds against a succeeded PaymentIntent (or its charge). A refund may settle at once, stay
// pending until the clock passes its settle time, or fail later: set with `setNextRefundOutcomes`.
import { invalidRequest, noSuchObject } from "./api-error";
import type { FormObject } from "./form-body";
import { createId } from "./ids";
import type { ChargeObject, PaymentIntentObject, RefundObject } from "./objects";
import type { ProviderContext, RequestInfo } from "./provider-context";
import { optionalInteger, optionalString, readMetadata, rejectUnknown } from "./read-params";

export type RefundOutcome = "succeeded" | "pending" | "failed";

const REFUND_CREATE_PARAMS = [
  "amount",
  "charge",
  "currency",
  "customer",
  "expand",
  "instructions_email",
  "metadata",
  "origin",
  "payment_intent",
  "reason",
  "refund_application_fee",
  "reverse_transfer",
];
const REASONS = ["duplicate", "fraudulent", "requested_by_customer"];

export interface RefundPolicy {
  /** Outcome of the next refunds, consumed in order; afterwards refunds succeed at once. */
  takeNextOutcome(): RefundOutcome;
  /** Seconds (on the stand-in's clock) a pending or failing refund waits before it settles. */
  settleSeconds: number;
}

function findCharge(
  context: ProviderContext,
  params: FormObject,
): { charge: ChargeObject; intent: PaymentIntentObject } {
  const intentId = optionalString(params.payment_intent, "payment_intent");
  const chargeId = optionalString(params.charge, "charge");
  if ((intentId === undefined || intentId === "") && (chargeId === undefined || chargeId === "")) {
    throw invalidRequest(
      "Give payment_intent or charge: the refund needs a payment to return money from.",
      "payment_intent",
      "parameter_missing",
    );
  }
  if (intentId !== undefined && intentId !== "") {
    const intent = context.store.getObject<PaymentIntentObject>("payment_intent", intentId);
    if (intent === undefined) throw noSuchObject("payment_intent", intentId, "payment_intent");
    const charge =
      intent.latest_charge === null
        ? undefined
        : context.store.getObject<ChargeObject>("charge", intent.latest_charge);
    if (intent.status !== "succeeded" || charge === undefined || charge.status !== "succeeded") {
      throw invalidRequest(
        `PaymentIntent ${intentId} has status ${intent.status} and no successful charge, so there is nothing to refund.`,
        "payment_intent",
      );
    }
    if (chargeId !== undefined && chargeId !== "" && chargeId !== charge.id) {
      throw invalidRequest(`Charge ${chargeId} does not belong to PaymentIntent ${intentId}.`, "charge");
    }
    return { charge, intent };
  }
  const charge = context.store.getObject<ChargeObject>("charge", chargeId ?? "");
  if (charge === undefined) throw noSuchObject("charge", chargeId ?? "", "charge");
  const intent = context.store.getObject<PaymentIntentObject>("payment_intent", charge.payment_intent);
  if (intent === undefined || charge.status !== "succeeded") {
    throw invalidRequest(`Charge ${charge.id} did not succeed, so there is nothing to refund.`, "charge");
  }
  return { charge, intent };
}

function updateCharge(context: ProviderContext, charge: ChargeObject, refundedDelta: number): ChargeObject {
  const amountRefunded = charge.amount_refunded + refundedDelta;
  const updated: ChargeObject = {
    ...charge,
    amount_refunded: amountRefunded,
    refunded: amountRefunded >= charge.amount_captured,
  };
  context.store.updateObject(charge.id, updated);
  return updated;
}

export function createRefund(
  context: ProviderContext,
  policy: RefundPolicy,
  params: FormObject,
  request: RequestInfo,
): RefundObject {
  rejectUnknown(params, REFUND_CREATE_PARAMS);
  const reason = optionalString(params.reason, "reason");
  if (reason !== undefined && reason !== "" && !REASONS.includes(reason)) {
    throw invalidRequest(`Invalid reason: ${reason}. Use one of ${REASONS.join(", ")}.`, "reason");
  }
  const metadata = readMetadata(params.metadata, "metadata") ?? {};
  const requested = optionalInteger(params.amount, "amount");
  return context.atomically(() => {
    const { charge, intent } = findCharge(context, params);
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) {
      throw invalidRequest(
        `Charge ${charge.id} has already been refunded in full.`,
        undefined,
        "charge_already_refunded",
      );
    }
    const amount = requested ?? remaining;
    if (amount <= 0)
      throw invalidRequest("Refund amount must be a positive number of minor units.", "amount");
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${amount}) is greater than what is left to refund on charge ${charge.id} (${remaining} ${charge.currency}).`,
        "amount",
        "amount_too_large",
      );
    }
    const outcome = policy.takeNextOutcome();
    const now = context.nowSeconds();
    const refund: RefundObject = {
      id: createId("re"),
      object: "refund",
      amount,
      charge: charge.id,
      created: now,
      currency: charge.currency,
      failure_reason: null,
      metadata,
      payment_intent: intent.id,
      reason: reason === undefined || reason === "" ? null : reason,
      status: outcome === "succeeded" ? "succeeded" : "pending",
    };
    context.store.insertObject("refund", refund.id, refund, {
      status: refund.status,
      due: outcome === "succeeded" ? null : now + policy.settleSeconds,
      ref: intent.id,
    });
    // Kept beside the refund: whether its pending state ends in success or failure.
    context.store.insertObject("refund_plan", `${refund.id}:outcome`, { outcome });
    const updatedCharge = updateCharge(context, charge, amount);
    context.emitEvent("refund.created", refund, { request });
    context.emitEvent("charge.refunded", updatedCharge, { request });
    return refund;
  });
}

export function getRefund(context: ProviderContext, id: string): RefundObject {
  const refund = context.store.getObject<RefundObject>("refund", id);
  if (refund === undefined) throw noSuchObject("refund", id);
  return refund;
}

/** Moves pending refunds whose settle time has come to succeeded or failed; returns their ids. */
export function settleDueRefunds(context: ProviderContext): string[] {
  const due = context.store.dueObjectIds("refund", "pending", context.nowSeconds());
  for (const id of due) {
    context.atomically(() => {
      const refund = getRefund(context, id);
      if (refund.status !== "pending") return;
      const planned = context.store.getObject<{ outcome: RefundOutcome }>("refund_plan", `${id}:outcome`);
      const fails = planned?.outcome === "failed";
      const settled: RefundObject = {
        ...refund,
        status: fails ? "failed" : "succeeded",
        failure_reason: fails ? "declined" : null,
      };
      context.store.updateObject(id, settled, { status: settled.status, due: null });
      context.emitEvent("refund.updated", settled, { previous: { status: "pending", failure_reason: null } });
      if (fails) {
        const charge = context.store.getObject<ChargeObject>("charge", refund.charge);
        if (charge !== undefined) updateCharge(context, charge, -refund.amount);
        context.emitEvent("refund.failed", settled);
      }
    });
  }
  return due;
}
