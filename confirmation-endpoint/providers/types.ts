// The seam between the endpoint (checkout route, webhook route, worker) and a payment provider.
// Each adapter lives in its own folder with its configuration (see registry.ts); a stored payment
// or refund is always served by the adapter whose name it carries.

/** An amount in integer minor units (12.50 EUR → 1250; 1500 JPY → 1500) and an upper-case ISO 4217 code. */
export interface Money {
  minor: number;
  currency: string;
}

/**
 * The request's headers as a webhook check reads them: a Web `Headers`, or the Node host's own
 * headers when it hands a delivery over without building a Web Request (http/node-adapter.ts).
 */
export type HeaderReader = Pick<Headers, "get">;

/** A registered provider's name ("stripe", …): the path of its webhook and the tag on every row it serves. */
export type ProviderName = string;

/**
 * What a provider event means for the purchase, whatever the provider's own vocabulary.
 * "approved": the buyer authorised the payment but the money is not captured yet (PayPal orders,
 * manual capture); the kit captures it only when the purchase can still take it.
 */
export type PaymentSignal =
  "paid" | "approved" | "pending" | "failed" | "expired" | "refunded" | "refund_failed" | "ignored";

export type RefundReason =
  "deadline_passed" | "finalize_rejected" | "duplicate_payment" | "amount_mismatch" | "unknown_purchase";

/** Any refund's cause: the kit's own reasons, or "requested" (a person ran `npm run refund`). */
export type RefundCause = RefundReason | "requested";

export interface IdempotencyOptions {
  idempotencyKey: string;
}

/** One verified provider event, reduced to what the endpoint acts on. */
export interface PaymentEvent {
  provider: ProviderName;
  /** Unique per provider event (Stripe: the event id); the store deduplicates on it. */
  dedupeKey: string;
  /** The provider's event type, for logs (e.g. checkout.session.completed). */
  type: string;
  signal: PaymentSignal;
  /** Read from the kit's own reference field (client_reference_id / metadata), never guessed. */
  purchaseId: string | null;
  providerPaymentId: string | null;
  providerSessionId: string | null;
  amount: Money | null;
  live: boolean;
  occurredAt: Date;
  /** Refund events: the provider's refund id, to match the kit's refund row. */
  providerRefundId?: string | null;
  /**
   * The provider's own status words, for logs and for cases the signal alone does not settle
   * (Stripe: "complete/no_payment_required", "foreign" for objects without the kit's tag).
   */
  providerStatus?: string;
}

/** One line of the order on the hosted page: a pass, how many attendees take it, its unit price. */
export interface CheckoutLine {
  name: string;
  quantity: number;
  /** Minor units of the request's currency. */
  unitMinor: number;
}

export interface CheckoutRequest {
  purchaseId: string;
  readableEventId: string;
  userId: string | null;
  /** "outbound" or "rtm": carried in metadata so a webhook knows which finalize to run. */
  mode: string;
  amount: Money;
  /** Shown on the hosted page (event name and passes). */
  description: string;
  /**
   * One line per pass, when their prices add up to `amount` exactly; absent or null: one line of
   * `description` for the whole amount. The amount charged is always `amount`.
   */
  lines?: readonly CheckoutLine[] | null;
  locale: string | null;
  successUrl: string;
  cancelUrl: string;
  /** The hosted page must stop taking payment by then (bounded by the provider's own limits). */
  closeAt: Date;
  /**
   * When this attempt was reserved: parameters derived from time use it, not the clock, so a retry
   * with the same idempotency key sends the same request.
   */
  requestedAt?: Date;
  /**
   * The buyer's e-mail, so the provider sends its own receipt (SEND_PROVIDER_RECEIPTS); null or
   * absent: none. Personal data: adapters pass it on and never log it.
   */
  receiptEmail?: string | null;
}

export interface CheckoutSession {
  redirectUrl: string;
  providerSessionId: string;
  expiresAt: Date;
}

/** The authoritative state of a payment, re-read from the provider before acting on any event. */
export interface PaymentState {
  signal: PaymentSignal;
  amount: Money | null;
  purchaseId: string | null;
  providerPaymentId: string | null;
  providerSessionId: string | null;
  /** Live or test mode of the payment; compare with the configured mode before finalizing. */
  live?: boolean;
  /** Another deployment's (or another integration's) object: acknowledged and left alone, never refunded. */
  foreign?: boolean;
  /** The deployment id the object carries; null when it was made before deployment ids. */
  deploymentId?: string | null;
  /** The flow the kit recorded at checkout ("outbound" or "rtm"), when the object carries it. */
  mode?: string | null;
  /** The provider's own status words (Stripe session: "complete/paid"; intent: "succeeded"). */
  providerStatus?: string;
}

export interface RefundResult {
  refundId: string;
  status: "pending" | "succeeded" | "failed";
  /** The provider's own refund status (Stripe: requires_action and canceled map to "failed"). */
  providerStatus?: string;
}

/** The HTTP answer a provider expects once its webhook is stored (Stripe: JSON; Adyen: "[accepted]"). */
export interface WebhookAcknowledgement {
  status: number;
  contentType: string;
  body: string;
}

/** One payment as the provider's listing shows it (reconcile), only objects carrying this deployment's id. */
export interface ListedPayment {
  providerPaymentId: string | null;
  providerSessionId: string | null;
  purchaseId: string | null;
  /** paid: money taken (refunds or not); open: the page still takes payment; unpaid: ended without money. */
  status: "paid" | "open" | "unpaid";
  /** What was taken (paid) or asked (otherwise). */
  amount: Money | null;
  /** Returned so far, whoever asked (the kit, a person in the dashboard). */
  refundedMinor: number;
  createdAt: Date;
}

export interface PaymentProviderAdapter {
  readonly name: ProviderName;
  createCheckout(request: CheckoutRequest, options: IdempotencyOptions): Promise<CheckoutSession>;
  /**
   * Close an open hosted page (e.g. at the deadline). Optional: a provider without such a call
   * leaves the page to its own expiry, and a payment that still arrives after the guard is refunded.
   */
  expireCheckout?(
    providerSessionId: string,
    options: IdempotencyOptions,
  ): Promise<"expired" | "already_complete">;
  /**
   * Verify the request over the raw body and parse the events; may call the provider (PayPal
   * verifies through its API). Throws WebhookVerificationError (code BAD_SIGNATURE /
   * STALE_TIMESTAMP / MALFORMED / LIVEMODE_MISMATCH) when the request is untrusted; every such
   * failure is a 400 with nothing stored.
   */
  verifyAndParse(input: {
    headers: HeaderReader;
    body: Uint8Array;
    receivedAt: Date;
  }): PaymentEvent[] | Promise<PaymentEvent[]>;
  /**
   * Capture an approved payment (signal "approved") and answer its state afterwards. Required of
   * providers that report "approved"; called with the same idempotency key on every retry.
   */
  capture?(
    ref: { providerSessionId?: string; providerPaymentId?: string },
    options: IdempotencyOptions,
  ): Promise<PaymentState>;
  /** The answer once a webhook is stored; default JSON `{received, stored, duplicates}`. */
  acknowledgeWebhook?(outcome: { stored: number; duplicates: number }): WebhookAcknowledgement;
  /** Re-read a payment by session or payment id. */
  getPayment(ref: { providerSessionId?: string; providerPaymentId?: string }): Promise<PaymentState>;
  refund(
    input: { providerPaymentId: string; amount: Money; reason: RefundCause; purchaseId: string },
    options: IdempotencyOptions,
  ): Promise<RefundResult>;
  /**
   * Optional, for reconciliation: events the provider failed to deliver since a time, already
   * mapped like verified webhooks (Stripe: GET /v1/events?delivery_success=false), oldest first.
   * They came from the provider's API over an authenticated call, so no signature applies.
   */
  listMissedEvents?(input: { since: Date; max?: number }): Promise<PaymentEvent[]>;
  /**
   * Optional, for reconcile: every payment created since a time that carries this deployment's id,
   * through the provider's listing API (Stripe: GET /v1/checkout/sessions). A provider without a
   * listing API leaves it out; reconcile then starts from the store and re-reads each payment.
   */
  listPayments?(input: { since: Date; max?: number }): Promise<ListedPayment[]>;
}
