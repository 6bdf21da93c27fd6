// Maps a verified PayPal webhook event to the kit's PaymentEvent. Every payment event names the
// order (the kit's payment id): an order resource by its id, a capture or a refund through
// supplementary_data.related_ids.order_id (a refund the kit made also carries it in custom_id).
// Other integrations' objects on the same account, and event types the kit does not act on, are
// "ignored".

import type { CurrencyExponents } from "../money";
import type { PaymentEvent, PaymentSignal } from "../types";
import { readPayPalAmount } from "./money";
import { isJson, readOrderState, readReference, text } from "./order-state";
import type { Json } from "./order-state";

export interface PayPalEnvelope {
  id: string;
  eventType: string;
  createTime: Date;
  resource: Json;
}

export function readEnvelope(parsed: unknown): PayPalEnvelope | null {
  if (!isJson(parsed)) return null;
  const id = text(parsed["id"]);
  const eventType = text(parsed["event_type"]);
  const resource = parsed["resource"];
  const created = Date.parse(String(parsed["create_time"]));
  if (!id || !eventType || !isJson(resource) || Number.isNaN(created)) return null;
  return { id, eventType, createTime: new Date(created), resource };
}

function relatedOrderId(resource: Json): string | null {
  const data = resource["supplementary_data"];
  const related = isJson(data) ? data["related_ids"] : undefined;
  return isJson(related) ? text(related["order_id"]) : null;
}

const CAPTURE_SIGNALS: Record<string, PaymentSignal> = {
  "PAYMENT.CAPTURE.COMPLETED": "paid",
  "PAYMENT.CAPTURE.PENDING": "pending",
  "PAYMENT.CAPTURE.DENIED": "failed",
  "PAYMENT.CAPTURE.DECLINED": "failed",
};

interface MapOptions {
  deploymentId: string;
  live: boolean;
  exponents?: CurrencyExponents | undefined;
}

export function mapPayPalEvent(envelope: PayPalEnvelope, options: MapOptions): PaymentEvent {
  const { resource, eventType } = envelope;
  const base = {
    provider: "paypal",
    dedupeKey: envelope.id,
    type: eventType,
    live: options.live,
    occurredAt: envelope.createTime,
  };
  const ignored: PaymentEvent = {
    ...base,
    signal: "ignored",
    purchaseId: null,
    providerPaymentId: null,
    providerSessionId: null,
    amount: null,
  };
  if (eventType === "CHECKOUT.ORDER.APPROVED" || eventType === "CHECKOUT.ORDER.COMPLETED") {
    return { ...base, ...readOrderState(resource, options.deploymentId, options.exponents) };
  }
  if (eventType === "CHECKOUT.PAYMENT-APPROVAL.REVERSED") {
    const orderId = text(resource["order_id"]) ?? text(resource["id"]);
    return {
      ...ignored,
      signal: orderId ? "failed" : "ignored",
      providerPaymentId: orderId,
      providerSessionId: orderId,
    };
  }
  const captureSignal = CAPTURE_SIGNALS[eventType];
  if (captureSignal) {
    const reference = readReference(resource, options.deploymentId);
    const orderId = relatedOrderId(resource);
    if (reference.foreign || !orderId) return { ...ignored, providerStatus: "foreign" };
    return {
      ...base,
      signal: captureSignal,
      purchaseId: reference.purchaseId,
      providerPaymentId: orderId,
      providerSessionId: orderId,
      amount: readPayPalAmount(resource["amount"], options.exponents),
      providerStatus: text(resource["status"]) ?? undefined,
    };
  }
  if (eventType === "PAYMENT.CAPTURE.REFUNDED") {
    const orderId = relatedOrderId(resource) ?? text(resource["custom_id"]);
    if (!orderId) return { ...ignored, providerStatus: "foreign" };
    const failed = text(resource["status"]) === "FAILED" || text(resource["status"]) === "CANCELLED";
    return {
      ...ignored,
      signal: failed ? "refund_failed" : "refunded",
      providerPaymentId: orderId,
      providerRefundId: text(resource["id"]),
      amount: readPayPalAmount(resource["amount"], options.exponents),
      providerStatus: text(resource["status"]) ?? undefined,
    };
  }
  return ignored;
}
