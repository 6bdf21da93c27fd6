// The stand-in's books: orders, their capture and refunds, in PayPal's own JSON shapes (snake_case,
// decimal-string amounts), so the official SDK parses the answers unchanged. In memory only.

import { randomBytes } from "node:crypto";

export interface Amount {
  currency_code: string;
  value: string;
}

export interface StandInRefund {
  id: string;
  status: "COMPLETED" | "PENDING" | "FAILED";
  amount: Amount;
  custom_id?: string;
  create_time: string;
}

export interface StandInCapture {
  id: string;
  status: "COMPLETED" | "DECLINED" | "PARTIALLY_REFUNDED" | "REFUNDED";
  amount: Amount;
  create_time: string;
  refunds: StandInRefund[];
}

export interface StandInOrder {
  id: string;
  status: "PAYER_ACTION_REQUIRED" | "APPROVED" | "COMPLETED" | "VOIDED";
  amount: Amount;
  custom_id: string | null;
  invoice_id: string | null;
  description: string | null;
  /** The purchase unit's items (name, quantity, unit amount), as sent; [] for none. */
  items: Array<{ name: string; quantity: string; unit_amount: Amount }>;
  /** `amount.breakdown.item_total`, when the order has items. */
  item_total: Amount | null;
  return_url: string | null;
  cancel_url: string | null;
  create_time: string;
  /** When the buyer approved (ms); an approval never captured lapses (voidApprovedAfterMs). */
  approved_at: number | null;
  capture: StandInCapture | null;
}

/** PayPal-looking ids: upper-case letters and digits. */
export function newId(length = 17): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join("");
}

export function captureJson(order: StandInOrder, capture: StandInCapture, origin: string) {
  return {
    id: capture.id,
    status: capture.status,
    amount: capture.amount,
    final_capture: true,
    ...(order.custom_id ? { custom_id: order.custom_id } : {}),
    ...(order.invoice_id ? { invoice_id: order.invoice_id } : {}),
    supplementary_data: { related_ids: { order_id: order.id } },
    create_time: capture.create_time,
    update_time: capture.create_time,
    links: [{ href: `${origin}/v2/payments/captures/${capture.id}`, rel: "self", method: "GET" }],
  };
}

export function refundJson(
  order: StandInOrder,
  capture: StandInCapture,
  refund: StandInRefund,
  origin: string,
) {
  return {
    id: refund.id,
    status: refund.status,
    amount: refund.amount,
    ...(refund.custom_id ? { custom_id: refund.custom_id } : {}),
    supplementary_data: { related_ids: { order_id: order.id, capture_id: capture.id } },
    create_time: refund.create_time,
    update_time: refund.create_time,
    links: [
      { href: `${origin}/v2/payments/refunds/${refund.id}`, rel: "self", method: "GET" },
      { href: `${origin}/v2/payments/captures/${capture.id}`, rel: "up", method: "GET" },
    ],
  };
}

export function orderJson(order: StandInOrder, origin: string) {
  const links = [{ href: `${origin}/v2/checkout/orders/${order.id}`, rel: "self", method: "GET" }];
  if (order.status === "PAYER_ACTION_REQUIRED") {
    links.push({ href: `${origin}/checkoutnow?token=${order.id}`, rel: "payer-action", method: "GET" });
  }
  return {
    id: order.id,
    intent: "CAPTURE",
    status: order.status,
    purchase_units: [
      {
        reference_id: "default",
        amount: order.item_total
          ? { ...order.amount, breakdown: { item_total: order.item_total } }
          : order.amount,
        ...(order.items.length > 0 ? { items: order.items } : {}),
        ...(order.custom_id ? { custom_id: order.custom_id } : {}),
        ...(order.invoice_id ? { invoice_id: order.invoice_id } : {}),
        ...(order.description ? { description: order.description } : {}),
        ...(order.capture ? { payments: { captures: [captureJson(order, order.capture, origin)] } } : {}),
      },
    ],
    create_time: order.create_time,
    links,
  };
}
