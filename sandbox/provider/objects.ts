// The shapes the stand-in stores and serves: the subset of Stripe's objects the kit reads, with
// Stripe's field names, id prefixes, `object`, `livemode: false` and `created` (unix seconds).

export type Metadata = Record<string, string>;

export interface SessionObject {
  id: string;
  object: "checkout.session";
  allowed_payment_method_types: string[] | null;
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  locale: string | null;
  metadata: Metadata;
  mode: "payment";
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: "paid" | "unpaid";
  status: "open" | "complete" | "expired";
  success_url: string | null;
  ui_mode: "hosted";
  url: string | null;
}

export interface LineItemObject {
  id: string;
  object: "item";
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  description: string;
  quantity: number;
  price: { object: "price"; currency: string; unit_amount: number; product_name: string };
}

/** What the stand-in keeps beside a session and never serves on the session itself. */
export interface SessionExtras {
  lineItems: LineItemObject[];
  paymentIntentMetadata: Metadata;
  paymentIntentDescription: string | null;
  captureMethod: string;
  /** payment_intent_data[receipt_email]: where Stripe would send the receipt (absent on older rows). */
  receiptEmail?: string | null;
}

export interface PaymentErrorObject {
  type: "card_error";
  code: "card_declined";
  decline_code: "generic_decline";
  message: string;
  charge: string | null;
}

export interface PaymentIntentObject {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_capturable: number;
  amount_received: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: string;
  created: number;
  currency: string;
  description: string | null;
  last_payment_error: PaymentErrorObject | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Metadata;
  payment_method_types: string[];
  /** Where Stripe e-mails the receipt once the payment succeeds; null: no receipt. */
  receipt_email: string | null;
  status: "requires_payment_method" | "succeeded" | "canceled";
}

export interface ChargeObject {
  id: string;
  object: "charge";
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Metadata;
  paid: boolean;
  payment_intent: string;
  refunded: boolean;
  status: "succeeded" | "failed";
}

export type RefundStatus = "pending" | "succeeded" | "failed" | "canceled" | "requires_action";

export interface RefundObject {
  id: string;
  object: "refund";
  amount: number;
  charge: string;
  created: number;
  currency: string;
  failure_reason: string | null;
  metadata: Metadata;
  payment_intent: string;
  reason: string | null;
  status: RefundStatus;
}

export interface EventObject {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export type StoredKind =
  "checkout.session" | "session_extras" | "payment_intent" | "charge" | "refund" | "refund_plan";

export interface ListResult<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}
