// The adapter's outbound calls through the official SDK, one function each: create an order,
// read it, capture it, refund its capture. Every POST carries the caller's key as PayPal-Request-Id;
// answers are read from PayPal's own JSON (as webhooks carry it), errors mapped to ProviderError.

import { ProviderError } from "../errors";
import { assertMoney } from "../money";
import type {
  CheckoutRequest,
  CheckoutSession,
  IdempotencyOptions,
  Money,
  PaymentState,
  RefundCause,
  RefundResult,
} from "../types";
import type { PayPalClient } from "./client-with";
import type { ClientLoader } from "./load-client";
import { toPayPalError } from "./error-mapping";
import { PAYPAL_EXPONENTS, toPayPalValue } from "./money";
import { buildOrderRequest } from "./order-request";
import { capturesOf, isJson, readOrderState, text } from "./order-state";
import type { Json } from "./order-state";

export interface OrderCallsContext {
  client: ClientLoader;
  /** invoice_id prefix marking this deployment's orders. */
  deploymentId: string;
}

type PaymentRef = { providerSessionId?: string; providerPaymentId?: string };

/** PayPal keeps a PayPal-Request-Id up to 108 characters. */
const MAX_REQUEST_ID = 108;

function invalid(operation: string, what: string): ProviderError {
  return new ProviderError({
    code: "INVALID_INPUT",
    message: `PayPal ${operation}: ${what}.`,
    retryable: false,
    operation,
  });
}

function requireKey(options: IdempotencyOptions | undefined, operation: string): string {
  const key = options?.idempotencyKey;
  if (typeof key !== "string" || key === "" || key.length > MAX_REQUEST_ID) {
    throw invalid(operation, `needs a PayPal-Request-Id of 1 to ${MAX_REQUEST_ID} characters`);
  }
  return key;
}

function requireOrderId(ref: PaymentRef, operation: string): string {
  const id = ref.providerPaymentId ?? ref.providerSessionId;
  if (typeof id !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw invalid(operation, `${JSON.stringify(id)} is not a PayPal order id`);
  }
  return id;
}

/** Runs one SDK call; the SDK parses answers into camelCase models, the kit reads PayPal's own JSON. */
async function call(
  ctx: OrderCallsContext,
  operation: string,
  run: (client: PayPalClient) => Promise<{ body: unknown }>,
): Promise<Json> {
  let body: unknown;
  try {
    body = (await run(await ctx.client())).body;
  } catch (error) {
    throw toPayPalError(error, operation);
  }
  let parsed: unknown = null;
  try {
    parsed = typeof body === "string" ? JSON.parse(body) : null;
  } catch {
    // not JSON: reported below
  }
  if (isJson(parsed)) return parsed;
  throw new ProviderError({
    code: "UNEXPECTED_RESPONSE",
    message: `PayPal ${operation} answered something that is not a JSON object.`,
    retryable: true,
    operation,
  });
}

const readState = (ctx: OrderCallsContext, order: Json): PaymentState =>
  readOrderState(order, ctx.deploymentId, PAYPAL_EXPONENTS);

async function showOrder(ctx: OrderCallsContext, id: string): Promise<Json> {
  return call(ctx, "show order", (client) => client.orders.getOrder({ id }));
}

export async function getOrderState(ctx: OrderCallsContext, ref: PaymentRef): Promise<PaymentState> {
  return readState(ctx, await showOrder(ctx, requireOrderId(ref, "show order")));
}

export async function createOrder(
  ctx: OrderCallsContext,
  request: CheckoutRequest,
  options: IdempotencyOptions,
): Promise<CheckoutSession> {
  const operation = "create order";
  const paypalRequestId = requireKey(options, operation);
  let body;
  try {
    body = buildOrderRequest(request, { deploymentId: ctx.deploymentId, idempotencyKey: paypalRequestId });
  } catch (error) {
    throw invalid(operation, (error as Error).message);
  }
  const order = await call(ctx, operation, (client) =>
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
}

export async function captureOrder(
  ctx: OrderCallsContext,
  ref: PaymentRef,
  options: IdempotencyOptions,
): Promise<PaymentState> {
  const operation = "capture order";
  const id = requireOrderId(ref, operation);
  const paypalRequestId = requireKey(options, operation);
  try {
    const order = await call(ctx, operation, (client) =>
      client.orders.captureOrder({ id, paypalRequestId, prefer: "return=representation" }),
    );
    return readState(ctx, order);
  } catch (error) {
    const issue = error instanceof ProviderError ? error.providerCode : undefined;
    // Captured already (an earlier attempt, another instance): its state is the answer.
    if (issue === "ORDER_ALREADY_CAPTURED") return readState(ctx, await showOrder(ctx, id));
    // The buyer's funding source was refused: nothing was taken, the purchase stays open.
    if (issue === "INSTRUMENT_DECLINED") {
      return { ...readState(ctx, await showOrder(ctx, id)), signal: "failed", providerStatus: issue };
    }
    throw error;
  }
}

function refundStatus(status: string | null): RefundResult["status"] {
  if (status === "COMPLETED") return "succeeded";
  if (status === "FAILED" || status === "CANCELLED") return "failed";
  return "pending";
}

export async function refundOrder(
  ctx: OrderCallsContext,
  input: { providerPaymentId: string; amount: Money; reason: RefundCause; purchaseId: string },
  options: IdempotencyOptions,
): Promise<RefundResult> {
  const operation = "refund capture";
  const orderId = requireOrderId({ providerPaymentId: input.providerPaymentId }, operation);
  const paypalRequestId = requireKey(options, operation);
  let amount: Money;
  let value: string;
  try {
    amount = assertMoney(input.amount, `Refund of ${orderId}`);
    value = toPayPalValue(amount, PAYPAL_EXPONENTS);
  } catch (error) {
    throw invalid(operation, (error as Error).message);
  }
  const capture = capturesOf(await showOrder(ctx, orderId)).find((c) =>
    ["COMPLETED", "PARTIALLY_REFUNDED"].includes(String(c["status"])),
  );
  const captureId = capture ? text(capture["id"]) : null;
  if (!captureId) throw invalid(operation, `order ${orderId} has no completed capture to refund`);
  const refund = await call(ctx, operation, (client) =>
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
}
