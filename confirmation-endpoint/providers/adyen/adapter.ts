// The Adyen implementation of PaymentProviderAdapter, through the official library
// (@adyen/api-library, Checkout API). Outbound: a payment link as the hosted page, its expiry, its
// re-read, refunds and captures through the modifications API, each call with the caller's
// Idempotency-Key. Inbound: Standard webhook batches, each item checked with its own HMAC
// (notifications.ts), Basic auth on the URL when configured, acknowledged "[accepted]".

import { createHash } from "node:crypto";
import type { Types } from "@adyen/api-library";
import { ProviderError, WebhookVerificationError } from "../errors";
import { assertMoney } from "../money";
import type {
  CheckoutRequest,
  CheckoutSession,
  HeaderReader,
  IdempotencyOptions,
  Money,
  PaymentEvent,
  PaymentProviderAdapter,
  PaymentState,
  RefundCause,
  RefundResult,
} from "../types";
import { checkBasicAuth } from "./basic-auth";
import { buildPaymentLinkRequest, KIT_TAG } from "./checkout";
import { resolveAdyenConfig, type AdyenAdapterConfig, type ResolvedAdyenConfig } from "./config";
import { fromAdyenAmount, toAdyenAmount } from "./currency";
import { toProviderError } from "./error-mapping";
import { parseNotificationBatch } from "./notifications";
import { call, createCheckoutApi, type CheckoutApi } from "./client";

type LinkResponse = Types.checkout.PaymentLinkResponse;
type Ref = { providerSessionId?: string; providerPaymentId?: string };
/** The library's Checkout API, built on the first call that needs it. */
type Api = () => Promise<CheckoutApi>;

export const ADYEN_ACK = { status: 200, contentType: "text/plain", body: "[accepted]" } as const;

export interface AdyenAdapter extends PaymentProviderAdapter {
  readonly name: "adyen";
  verifyAndParse(input: { headers: HeaderReader; body: Uint8Array; receivedAt: Date }): PaymentEvent[];
  expireCheckout(linkId: string, options: IdempotencyOptions): Promise<"expired" | "already_complete">;
}

/** The kit refused to send the call: its input breaks a rule checked before any request. */
function invalidInput(operation: string, message: string, cause?: unknown): ProviderError {
  return new ProviderError({ code: "INVALID_INPUT", message, retryable: false, operation, cause });
}

/** Adyen keeps keys of at most 64 characters; a longer kit key is replaced by a digest of itself. */
export function adyenIdempotencyKey(options: IdempotencyOptions | undefined, operation: string): string {
  const key = options?.idempotencyKey;
  if (typeof key !== "string" || key === "") {
    throw invalidInput(
      operation,
      `Adyen ${operation} needs an idempotency key (e.g. checkout:<purchaseId>:<attempt>).`,
    );
  }
  return key.length <= 64 ? key : `sha256:${createHash("sha256").update(key).digest("hex").slice(0, 57)}`;
}

function requireId(id: string | undefined, what: string, operation: string): string {
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw invalidInput(
      operation,
      `Adyen ${operation}: ${what} ${JSON.stringify(id)} is not an Adyen reference.`,
    );
  }
  return id;
}

/** A link's state in the kit's words; the payment id comes from the verified notification. */
export function readLinkState(link: LinkResponse, ref: Ref, resolved: ResolvedAdyenConfig): PaymentState {
  const metadata = (link.metadata ?? {}) as Record<string, unknown>;
  const deployment = typeof metadata["deployment"] === "string" ? metadata["deployment"] : null;
  // The kit's tag, and no other deployment's id (links made before deployment ids carry none).
  const otherDeployment =
    resolved.deploymentId !== null && deployment !== null && deployment !== resolved.deploymentId;
  const ours = metadata["kit"] === KIT_TAG && !otherDeployment;
  const status = String(link.status);
  const paymentId = ref.providerPaymentId ?? null;
  let signal: PaymentState["signal"] = "pending";
  if (!ours) signal = "ignored";
  else if (status === "expired") signal = "expired";
  // A completed link whose notification has not named the payment yet waits for it.
  else if ((status === "completed" || status === "paid") && paymentId)
    signal = resolved.manualCapture ? "approved" : "paid";
  return {
    signal,
    amount: fromAdyenAmount(link.amount, resolved.exponents),
    purchaseId: ours && typeof link.reference === "string" ? link.reference : null,
    providerPaymentId: paymentId,
    providerSessionId: typeof link.id === "string" ? link.id : (ref.providerSessionId ?? null),
    live: resolved.live,
    foreign: !ours,
    deploymentId: deployment,
    providerStatus: ours ? status : "foreign",
  };
}

export function createAdyenAdapter(config: AdyenAdapterConfig): AdyenAdapter {
  const resolved = resolveAdyenConfig(config);
  let api: Promise<CheckoutApi> | null = null;
  const checkout: Api = () => (api ??= createCheckoutApi(resolved, config.fetch));
  return {
    name: "adyen",
    createCheckout: (request, options) => createLink(checkout, resolved, request, options),
    expireCheckout: (linkId, options) => expireLink(checkout, linkId, options),
    verifyAndParse: (input) => verifyBatch(resolved, input, config.onRejectedItems),
    getPayment: (ref) => readPayment(checkout, resolved, ref),
    capture: (ref, options) => captureLink(checkout, resolved, ref, options),
    refund: (input, options) => refundPayment(checkout, resolved, input, options),
    acknowledgeWebhook: () => ({ ...ADYEN_ACK }),
  };
}

async function createLink(
  checkout: Api,
  resolved: ResolvedAdyenConfig,
  request: CheckoutRequest,
  options: IdempotencyOptions,
): Promise<CheckoutSession> {
  const operation = "create payment link";
  const idempotencyKey = adyenIdempotencyKey(options, operation);
  const params = buildPaymentLinkRequest(request, resolved);
  const link = await call(operation, async () =>
    (await checkout()).PaymentLinksApi.paymentLinks(params, { idempotencyKey }),
  );
  const expiresAt = link.expiresAt ? new Date(link.expiresAt) : request.closeAt;
  if (typeof link.url !== "string" || typeof link.id !== "string" || Number.isNaN(expiresAt.getTime())) {
    throw new ProviderError({
      code: "UNEXPECTED_RESPONSE",
      message: `Adyen created a payment link for purchase ${request.purchaseId} without an id, URL or readable expiry.`,
      retryable: false,
      operation,
    });
  }
  return { redirectUrl: link.url, providerSessionId: link.id, expiresAt };
}

async function expireLink(
  checkout: Api,
  linkId: string,
  options: IdempotencyOptions,
): Promise<"expired" | "already_complete"> {
  const operation = "expire payment link";
  const id = requireId(linkId, "payment link id", operation);
  const idempotencyKey = adyenIdempotencyKey(options, operation);
  const expired = "expired" as Types.checkout.UpdatePaymentLinkRequest.StatusEnum;
  try {
    const link = await (
      await checkout()
    ).PaymentLinksApi.updatePaymentLink(id, { status: expired }, { idempotencyKey });
    return String(link.status) === "expired" ? "expired" : "already_complete";
  } catch (error) {
    const mapped = toProviderError(error, operation);
    // Adyen refuses to expire a link that is no longer active; its current state says why.
    if (mapped.code !== "PROVIDER_REJECTED") throw mapped;
    const link = await call("retrieve payment link", async () =>
      (await checkout()).PaymentLinksApi.getPaymentLink(id),
    );
    const status = String(link.status);
    if (status === "expired") return "expired";
    if (status === "completed" || status === "paid" || status === "paymentPending") return "already_complete";
    throw mapped;
  }
}

function verifyBatch(
  resolved: ResolvedAdyenConfig,
  input: { headers: HeaderReader; body: Uint8Array; receivedAt: Date },
  onRejected: AdyenAdapterConfig["onRejectedItems"],
): PaymentEvent[] {
  if (resolved.basicAuth && !checkBasicAuth(input.headers.get("authorization"), resolved.basicAuth)) {
    throw new WebhookVerificationError(
      "BAD_SIGNATURE",
      "Adyen webhook Basic auth is missing or wrong; set the same user name and password in the Customer Area and ADYEN_WEBHOOK_USERNAME / ADYEN_WEBHOOK_PASSWORD.",
    );
  }
  const batch = parseNotificationBatch(input.body, {
    hmacKeys: resolved.hmacKeys,
    live: resolved.live,
    manualCapture: resolved.manualCapture,
    receivedAt: input.receivedAt,
    exponents: resolved.exponents,
  });
  if (batch.rejected.length > 0) onRejected?.({ rejected: batch.rejected, accepted: batch.events.length });
  return batch.events;
}

async function readPayment(checkout: Api, resolved: ResolvedAdyenConfig, ref: Ref): Promise<PaymentState> {
  const operation = "retrieve payment link";
  if (!ref.providerSessionId) {
    // Adyen has no call that reads a payment by pspReference; the kit's payments all have a link.
    throw invalidInput(
      operation,
      `Adyen payment ${ref.providerPaymentId ?? "?"} has no payment link id to re-read; check it in the Customer Area.`,
    );
  }
  const id = requireId(ref.providerSessionId, "payment link id", operation);
  const link = await call(operation, async () => (await checkout()).PaymentLinksApi.getPaymentLink(id));
  return readLinkState(link, ref, resolved);
}

async function captureLink(
  checkout: Api,
  resolved: ResolvedAdyenConfig,
  ref: Ref,
  options: IdempotencyOptions,
): Promise<PaymentState> {
  const operation = "capture payment";
  const state = await readPayment(checkout, resolved, ref);
  const psp = requireId(ref.providerPaymentId, "pspReference", operation);
  const amount = state.amount ? toAdyenAmount(state.amount, resolved.exponents) : null;
  if (state.signal !== "approved" || !amount) return state;
  const idempotencyKey = adyenIdempotencyKey(options, operation);
  const body = { amount, merchantAccount: resolved.merchantAccount };
  await call(operation, async () =>
    (await checkout()).ModificationsApi.captureAuthorisedPayment(psp, body, { idempotencyKey }),
  );
  // Adyen answers "received"; a refused capture arrives later as CAPTURE false (INFERRED: treated as paid).
  return { ...state, signal: "paid", providerStatus: "capture_received" };
}

async function refundPayment(
  checkout: Api,
  resolved: ResolvedAdyenConfig,
  input: { providerPaymentId: string; amount: Money; reason: RefundCause; purchaseId: string },
  options: IdempotencyOptions,
): Promise<RefundResult> {
  const operation = "refund payment";
  const psp = requireId(input.providerPaymentId, "pspReference", operation);
  const idempotencyKey = adyenIdempotencyKey(options, operation);
  let amount: ReturnType<typeof toAdyenAmount>;
  try {
    amount = toAdyenAmount(assertMoney(input.amount, `Refund of ${psp}`), resolved.exponents);
  } catch (error) {
    throw invalidInput(operation, (error as Error).message, error);
  }
  if (!amount) {
    const { minor, currency } = input.amount;
    throw invalidInput(
      operation,
      `Refund of ${psp}: ${minor} ${currency} cannot be expressed in Adyen's unit.`,
    );
  }
  const body = {
    amount,
    merchantAccount: resolved.merchantAccount,
    reference: `${input.purchaseId || psp}:${input.reason}`.slice(0, 80),
  };
  const refund = await call(operation, async () =>
    (await checkout()).ModificationsApi.refundCapturedPayment(psp, body, { idempotencyKey }),
  );
  if (typeof refund.pspReference !== "string" || refund.pspReference === "") {
    throw new ProviderError({
      code: "UNEXPECTED_RESPONSE",
      message: `Adyen accepted the refund of ${psp} without a pspReference for it.`,
      retryable: true,
      operation,
    });
  }
  // Only the REFUND notification says whether the money went back: until then it is pending.
  return { refundId: refund.pspReference, status: "pending", providerStatus: String(refund.status) };
}
