// The seam between the endpoint (checkout route, webhook route, worker) and a payment provider.
// Stripe implements it first; Adyen and PayPal are meant to fit the same shape.

/** An amount in integer minor units (12.50 EUR → 1250; 1500 JPY → 1500) and an upper-case ISO 4217 code. */
export interface Money {
  minor: number;
  currency: string;
}

export type ProviderName = "stripe";

/** What a provider event means for the purchase, whatever the provider's own vocabulary. */
export type PaymentSignal =
  "paid" | "pending" | "failed" | "expired" | "refunded" | "refund_failed" | "ignored";

export type RefundReason =
  "deadline_passed" | "finalize_rejected" | "duplicate_payment" | "amount_mismatch" | "unknown_purchase";

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

export interface CheckoutRequest {
  purchaseId: string;
  readableEventId: string;
  userId: string | null;
  /** "outbound" or "rtm": carried in metadata so a webhook knows which finalize to run. */
  mode: string;
  amount: Money;
  /** Shown on the hosted page (event name and passes). */
  description: string;
  locale: string | null;
  successUrl: string;
  cancelUrl: string;
  /** The hosted page must stop taking payment by then (bounded by the provider's own limits). */
  closeAt: Date;
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
  /** The provider's own status words (Stripe session: "complete/paid"; intent: "succeeded"). */
  providerStatus?: string;
}

export interface RefundResult {
  refundId: string;
  status: "pending" | "succeeded" | "failed";
  /** The provider's own refund status (Stripe: requires_action and canceled map to "failed"). */
  providerStatus?: string;
}

export interface PaymentProviderAdapter {
  readonly name: ProviderName;
  createCheckout(request: CheckoutRequest, options: IdempotencyOptions): Promise<CheckoutSession>;
  /** Close an open hosted page (e.g. at the deadline). */
  expireCheckout(
    providerSessionId: string,
    options: IdempotencyOptions,
  ): Promise<"expired" | "already_complete">;
  /**
   * Verify the signature over the raw body and parse the events. Pure: no network. Throws
   * WebhookVerificationError (code BAD_SIGNATURE / STALE_TIMESTAMP / MALFORMED / LIVEMODE_MISMATCH) when the
   * request is untrusted; every such failure is a 400 with nothing stored.
   */
  verifyAndParse(input: { headers: Headers; body: Uint8Array; receivedAt: Date }): PaymentEvent[];
  /** Re-read a payment by session or payment id. */
  getPayment(ref: { providerSessionId?: string; providerPaymentId?: string }): Promise<PaymentState>;
  refund(
    input: { providerPaymentId: string; amount: Money; reason: RefundReason; purchaseId: string },
    options: IdempotencyOptions,
  ): Promise<RefundResult>;
  /**
   * Optional, for reconciliation: events the provider failed to deliver since a time, already
   * mapped like verified webhooks (Stripe: GET /v1/events?delivery_success=false), oldest first.
   * They came from the provider's API over an authenticated call, so no signature applies.
   */
  listMissedEvents?(input: { since: Date; max?: number }): Promise<PaymentEvent[]>;
}
