// The PayPal implementation of PaymentProviderAdapter, through the official SDK
// (@paypal/paypal-server-sdk, Orders v2, intent CAPTURE). The buyer approves an order at PayPal;
// the worker captures it once (PayPal-Request-Id = the key it passes) and finalizes only on a
// completed capture. No expiry call: an approved order that is never captured is voided by PayPal,
// and a capture that lands after the guard is refunded by the core.

import { ProviderError, WebhookVerificationError } from "../errors";
import { assertMoney } from "../money";
import type {
  CheckoutRequest,
  CheckoutSession,
  IdempotencyOptions,
  PaymentEvent,
  PaymentProviderAdapter,
  PaymentState,
  RefundReason,
  RefundResult,
  Money,
} from "../types";
import { createCertSource } from "./cert-source";
import type { FetchLike } from "./cert-source";
import { createPayPalClient } from "./client";
import type { PayPalEnvironment } from "./client";
import { toPayPalError } from "./error-mapping";
import { mapPayPalEvent, readEnvelope } from "./events";
import { PAYPAL_EXPONENTS, toPayPalValue } from "./money";
import { buildOrderRequest } from "./order-request";
import { capturesOf, isJson, readOrderState, text } from "./order-state";
import type { Json } from "./order-state";
import { createWebhookVerifier } from "./verify-webhook";
import type { VerificationMode, WebhookInput } from "./verify-webhook";
import { DEFAULT_TOLERANCE_SECONDS } from "./webhook-headers";

export interface PayPalAdapterConfig {
  clientId: string;
  clientSecret: string;
  /** The id PayPal gave the webhook pointing at this endpoint; part of every signed string. */
  webhookId: string;
  environment: PayPalEnvironment;
  /** Origin replacing PayPal's API host (the sandbox's stand-in); null in production. */
  apiBase?: string | null | undefined;
  /** "local" (default) or "api". */
  verification?: VerificationMode | undefined;
  /** Extra certificate origins the local check may fetch from (the sandbox's); empty in production. */
  certOrigins?: readonly string[] | undefined;
  /** Marks this deployment's orders (invoice_id prefix); default "epg". */
  deploymentId?: string | undefined;
  toleranceSeconds?: number | undefined;
  timeoutMs?: number | undefined;
  /** The fetch for certificates and the verification API; global fetch by default. */
  fetch?: FetchLike | undefined;
}

/** PayPal's adapter: verification is asynchronous (certificate or API), and capture is always offered. */
export interface PayPalAdapter extends PaymentProviderAdapter {
  readonly name: "paypal";
  verifyAndParse(input: WebhookInput): Promise<PaymentEvent[]>;
  capture(
    ref: { providerSessionId?: string; providerPaymentId?: string },
    options: IdempotencyOptions,
  ): Promise<PaymentState>;
}

export const DEFAULT_DEPLOYMENT_ID = "epg";
/** PayPal keeps a PayPal-Request-Id up to 108 characters. */
const MAX_REQUEST_ID = 108;

function requireKey(options: IdempotencyOptions | undefined, operation: string): string {
  const key = options?.idempotencyKey;
  if (typeof key !== "string" || key === "" || key.length > MAX_REQUEST_ID) {
    throw invalid(operation, `needs a PayPal-Request-Id of 1 to ${MAX_REQUEST_ID} characters`);
  }
  return key;
}

function requireOrderId(
  ref: { providerSessionId?: string; providerPaymentId?: string },
  operation: string,
): string {
  const id = ref.providerPaymentId ?? ref.providerSessionId;
  if (typeof id !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw invalid(operation, `${JSON.stringify(id)} is not a PayPal order id`);
  }
  return id;
}

function invalid(operation: string, what: string): ProviderError {
  return new ProviderError({
    code: "INVALID_INPUT",
    message: `PayPal ${operation}: ${what}.`,
    retryable: false,
    operation,
  });
}

function refundStatus(status: string | null): RefundResult["status"] {
  if (status === "COMPLETED") return "succeeded";
  if (status === "FAILED" || status === "CANCELLED") return "failed";
  return "pending";
}

/** The SDK parses answers into camelCase models; the kit reads PayPal's own JSON, as webhooks carry it. */
function rawJson(response: { body: unknown }, operation: string): Json {
  try {
    const parsed: unknown = typeof response.body === "string" ? JSON.parse(response.body) : null;
    if (isJson(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw new ProviderError({
    code: "UNEXPECTED_RESPONSE",
    message: `PayPal ${operation} answered something that is not a JSON object.`,
    retryable: true,
    operation,
  });
}

export function createPayPalAdapter(config: PayPalAdapterConfig): PayPalAdapter {
  const deploymentId = config.deploymentId ?? DEFAULT_DEPLOYMENT_ID;
  const fetchFn: FetchLike = config.fetch ?? ((url, init) => fetch(url, init));
  const client = createPayPalClient({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    environment: config.environment,
    apiBase: config.apiBase ?? null,
    timeoutMs: config.timeoutMs ?? 20_000,
    maxRetries: 2,
  });
  const verifyWebhook = createWebhookVerifier({
    mode: config.verification ?? "local",
    webhookId: config.webhookId,
    toleranceSeconds: config.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
    certs: createCertSource({ fetch: fetchFn, allowedOrigins: config.certOrigins ?? [] }),
    api: { origin: client.origin, accessToken: () => client.accessToken(), fetch: fetchFn },
  });
  const live = config.environment === "live";
  const readState = (order: Json) => readOrderState(order, deploymentId, PAYPAL_EXPONENTS);

  async function call(operation: string, run: () => Promise<{ body: unknown }>): Promise<Json> {
    try {
      return rawJson(await run(), operation);
    } catch (error) {
      throw toPayPalError(error, operation);
    }
  }

  const getOrder = (id: string) => call("show order", () => client.orders.getOrder({ id }));

  return {
    name: "paypal",

    async createCheckout(request: CheckoutRequest, options: IdempotencyOptions): Promise<CheckoutSession> {
      const operation = "create order";
      const paypalRequestId = requireKey(options, operation);
      let body;
      try {
        body = buildOrderRequest(request, { deploymentId, idempotencyKey: paypalRequestId });
      } catch (error) {
        throw invalid(operation, (error as Error).message);
      }
      const order = await call(operation, () =>
        client.orders.createOrder({ body, paypalRequestId, prefer: "return=representation" }),
      );
      const links = Array.isArray(order["links"]) ? order["links"].filter(isJson) : [];
      const approve = links.find((l) => l["rel"] === "payer-action" || l["rel"] === "approve");
      const id = text(order["id"]);
      const href = approve ? text(approve["href"]) : null;
      if (!id || !href) {
        throw new ProviderError({
          code: "UNEXPECTED_RESPONSE",
          message: `PayPal created order ${String(id)} for purchase ${request.purchaseId} without an approval link.`,
          retryable: false,
          operation,
        });
      }
      // PayPal does not say when an unapproved order lapses; the kit's own close time stands in.
      return { redirectUrl: href, providerSessionId: id, expiresAt: request.closeAt };
    },

    async verifyAndParse(input: WebhookInput): Promise<PaymentEvent[]> {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input.body));
      } catch (error) {
        throw new WebhookVerificationError("MALFORMED", "PayPal webhook body is not UTF-8 JSON.", error);
      }
      await verifyWebhook(input, parsed);
      const envelope = readEnvelope(parsed);
      if (!envelope) {
        throw new WebhookVerificationError(
          "MALFORMED",
          "Signed PayPal webhook is not an event (needs id, event_type, create_time and resource).",
        );
      }
      return [mapPayPalEvent(envelope, { deploymentId, live, exponents: PAYPAL_EXPONENTS })];
    },

    async getPayment(ref): Promise<PaymentState> {
      return readState(await getOrder(requireOrderId(ref, "show order")));
    },

    async capture(ref, options: IdempotencyOptions): Promise<PaymentState> {
      const operation = "capture order";
      const id = requireOrderId(ref, operation);
      const paypalRequestId = requireKey(options, operation);
      try {
        const order = await call(operation, () =>
          client.orders.captureOrder({ id, paypalRequestId, prefer: "return=representation" }),
        );
        return readState(order);
      } catch (error) {
        const issue = error instanceof ProviderError ? error.providerCode : undefined;
        // Captured already (an earlier attempt, another instance): its state is the answer.
        if (issue === "ORDER_ALREADY_CAPTURED") return readState(await getOrder(id));
        // The buyer's funding source was refused: nothing was taken, the purchase stays open.
        if (issue === "INSTRUMENT_DECLINED") {
          return { ...readState(await getOrder(id)), signal: "failed", providerStatus: issue };
        }
        throw error;
      }
    },

    async refund(
      input: { providerPaymentId: string; amount: Money; reason: RefundReason; purchaseId: string },
      options: IdempotencyOptions,
    ): Promise<RefundResult> {
      const operation = "refund capture";
      const orderId = requireOrderId({ providerPaymentId: input.providerPaymentId }, operation);
      const paypalRequestId = requireKey(options, operation);
      let value: string;
      let amount: Money;
      try {
        amount = assertMoney(input.amount, `Refund of ${orderId}`);
        value = toPayPalValue(amount, PAYPAL_EXPONENTS);
      } catch (error) {
        throw invalid(operation, (error as Error).message);
      }
      const capture = capturesOf(await getOrder(orderId)).find((c) =>
        ["COMPLETED", "PARTIALLY_REFUNDED"].includes(String(c["status"])),
      );
      const captureId = capture ? text(capture["id"]) : null;
      if (!captureId) throw invalid(operation, `order ${orderId} has no completed capture to refund`);
      const refund = await call(operation, () =>
        client.payments.refundCapturedPayment({
          captureId,
          paypalRequestId,
          prefer: "return=representation",
          // custom_id names the order, so the refund's webhook finds the kit's payment.
          body: { amount: { currencyCode: amount.currency, value }, customId: orderId },
        }),
      );
      const status = text(refund["status"]);
      return {
        refundId: text(refund["id"]) ?? captureId,
        status: refundStatus(status),
        providerStatus: String(status),
      };
    },
  };
}
