// Reads PayPal's order JSON (an API answer or a webhook's resource, both snake_case) into the
// kit's PaymentState. The order id is the kit's payment id and session id alike: the worker
// captures it with capture:<orderId>, refunds go to the capture inside it.

import type { CurrencyExponents } from "../money";
import type { PaymentSignal, PaymentState } from "../types";
import { readPayPalAmount } from "./money";

export type Json = Record<string, unknown>;

export function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** The order's first purchase unit (the kit creates exactly one). */
export function firstUnit(order: Json): Json {
  const units = order["purchase_units"];
  return Array.isArray(units) && isJson(units[0]) ? units[0] : {};
}

/** The captures inside the order, oldest first. */
export function capturesOf(order: Json): Json[] {
  const payments = firstUnit(order)["payments"];
  const captures = isJson(payments) ? payments["captures"] : undefined;
  return Array.isArray(captures) ? captures.filter(isJson) : [];
}

/**
 * The kit's reference on an order or capture: custom_id is the purchase id, invoice_id starts with
 * this deployment's id. Another integration on the same PayPal account has neither: "foreign".
 */
export function readReference(
  unit: Json,
  deploymentId: string,
): { purchaseId: string | null; foreign: boolean } {
  const invoice = text(unit["invoice_id"]);
  if (!invoice || !invoice.startsWith(`${deploymentId}:`)) return { purchaseId: null, foreign: true };
  return { purchaseId: text(unit["custom_id"]), foreign: false };
}

function captureSignal(status: string | null): PaymentSignal {
  switch (status) {
    case "COMPLETED":
    case "PARTIALLY_REFUNDED":
      return "paid";
    case "PENDING":
      return "pending";
    case "REFUNDED":
      return "refunded";
    default:
      return "failed"; // DECLINED, FAILED
  }
}

function orderSignal(status: string | null, capture: Json | undefined): PaymentSignal {
  if (capture) return captureSignal(text(capture["status"]));
  switch (status) {
    case "APPROVED":
      return "approved";
    case "VOIDED":
      return "expired";
    case "COMPLETED":
      return "failed"; // completed without a capture: nothing was taken
    default:
      return "pending"; // CREATED, SAVED, PAYER_ACTION_REQUIRED
  }
}

export function readOrderState(
  order: Json,
  deploymentId: string,
  exponents?: CurrencyExponents,
): PaymentState {
  const id = text(order["id"]);
  const unit = firstUnit(order);
  const reference = readReference(unit, deploymentId);
  const status = text(order["status"]);
  // The latest capture decides; PayPal makes one per order under intent CAPTURE.
  const capture = capturesOf(order).at(-1);
  const signal = reference.foreign ? "ignored" : orderSignal(status, capture);
  return {
    signal,
    amount: readPayPalAmount(capture ? capture["amount"] : unit["amount"], exponents),
    purchaseId: reference.purchaseId,
    providerPaymentId: id,
    providerSessionId: id,
    // Not foreign means invoice_id carries this deployment's id: ours, so it may be adopted.
    foreign: reference.foreign,
    deploymentId: reference.foreign ? null : deploymentId,
    providerStatus: reference.foreign
      ? "foreign"
      : `${status ?? "?"}${capture ? `/${text(capture["status"]) ?? "?"}` : ""}`,
  };
}
