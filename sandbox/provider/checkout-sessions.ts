// Checkout Sessions: create (mode "payment" with price_data line items), expire, and what the
// hosted page does to them (pay, decline). Sessions expire on their own once `expires_at` passes.
import { invalidRequest, missingParam, noSuchObject } from "./api-error";
import type { FormObject } from "./form-body";
import { createId } from "./ids";
import type {
  ChargeObject,
  LineItemObject,
  PaymentIntentObject,
  SessionExtras,
  SessionObject,
} from "./objects";
import type { ProviderContext, RequestInfo } from "./provider-context";
import {
  optionalInteger,
  optionalList,
  optionalObject,
  optionalString,
  optionalStringList,
  readMetadata,
  rejectUnknown,
} from "./read-params";

/** Stripe's window for `expires_at`: at least 30 minutes and at most 24 hours after creation. */
export const MIN_EXPIRY_SECONDS = 30 * 60;
export const MAX_EXPIRY_SECONDS = 24 * 60 * 60;

const SESSION_CREATE_PARAMS = [
  "adaptive_pricing",
  "after_expiration",
  "allow_promotion_codes",
  "allowed_payment_method_types",
  "automatic_tax",
  "billing_address_collection",
  "branding_settings",
  "cancel_url",
  "client_reference_id",
  "consent_collection",
  "currency",
  "custom_fields",
  "custom_text",
  "customer",
  "customer_account",
  "customer_creation",
  "customer_email",
  "customer_update",
  "discounts",
  "excluded_payment_method_types",
  "expand",
  "expires_at",
  "integration_identifier",
  "invoice_creation",
  "line_items",
  "locale",
  "managed_payments",
  "metadata",
  "mode",
  "name_collection",
  "optional_items",
  "origin_context",
  "payment_intent_data",
  "payment_method_collection",
  "payment_method_configuration",
  "payment_method_data",
  "payment_method_options",
  "payment_method_types",
  "permissions",
  "phone_number_collection",
  "redirect_on_completion",
  "return_url",
  "saved_payment_method_options",
  "setup_intent_data",
  "shipping_address_collection",
  "shipping_options",
  "submit_type",
  "subscription_data",
  "success_url",
  "tax_id_collection",
  "ui_mode",
  "wallet_options",
] as const;
const LINE_ITEM_PARAMS = [
  "adjustable_quantity",
  "dynamic_tax_rates",
  "metadata",
  "price",
  "price_data",
  "quantity",
  "tax_rates",
];
const PRICE_DATA_PARAMS = [
  "currency",
  "product",
  "product_data",
  "recurring",
  "tax_behavior",
  "unit_amount",
  "unit_amount_decimal",
];
const PRODUCT_DATA_PARAMS = ["description", "images", "metadata", "name", "tax_code", "unit_label"];
const PAYMENT_INTENT_DATA_PARAMS = [
  "application_fee_amount",
  "capture_method",
  "description",
  "metadata",
  "on_behalf_of",
  "receipt_email",
  "setup_future_usage",
  "shipping",
  "statement_descriptor",
  "statement_descriptor_suffix",
  "transfer_data",
  "transfer_group",
];

function readUrl(value: string | undefined, param: string): string | null {
  if (value === undefined || value === "") return null;
  let parsed: URL;
  try {
    parsed = new URL(value.replace("{CHECKOUT_SESSION_ID}", "cs"));
  } catch {
    throw invalidRequest(`Not a valid URL: ${param} must be an absolute http(s) URL.`, param, "url_invalid");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw invalidRequest(`Not a valid URL: ${param} must use http or https.`, param, "url_invalid");
  }
  return value;
}

function readLineItems(params: FormObject): LineItemObject[] {
  const list = optionalList(params.line_items, "line_items");
  if (list === undefined || list.length === 0) throw missingParam("line_items");
  return list.map((raw, index) => {
    const base = `line_items[${index}]`;
    const item = optionalObject(raw, base);
    if (item === undefined) throw missingParam(base);
    rejectUnknown(item, LINE_ITEM_PARAMS, base);
    if (item.price !== undefined) {
      throw invalidRequest(
        `${base}[price] refers to a saved Price; the stand-in keeps no catalogue, so send ${base}[price_data] instead.`,
        `${base}[price]`,
        "resource_missing",
      );
    }
    const priceData = optionalObject(item.price_data, `${base}[price_data]`);
    if (priceData === undefined) throw missingParam(`${base}[price_data]`);
    rejectUnknown(priceData, PRICE_DATA_PARAMS, `${base}[price_data]`);
    const currency = optionalString(priceData.currency, `${base}[price_data][currency]`);
    if (currency === undefined || currency === "") throw missingParam(`${base}[price_data][currency]`);
    if (!/^[a-zA-Z]{3}$/.test(currency)) {
      throw invalidRequest(
        `Invalid currency: ${currency}. Use a three-letter ISO code such as eur.`,
        `${base}[price_data][currency]`,
      );
    }
    if (priceData.recurring !== undefined) {
      throw invalidRequest(
        `${base}[price_data][recurring] needs mode=subscription, which the stand-in does not serve.`,
        `${base}[price_data][recurring]`,
      );
    }
    const unitAmount = optionalInteger(priceData.unit_amount, `${base}[price_data][unit_amount]`);
    if (unitAmount === undefined) throw missingParam(`${base}[price_data][unit_amount]`);
    if (unitAmount < 0)
      throw invalidRequest(
        `${base}[price_data][unit_amount] must be zero or more.`,
        `${base}[price_data][unit_amount]`,
      );
    const productData = optionalObject(priceData.product_data, `${base}[price_data][product_data]`);
    if (productData === undefined) throw missingParam(`${base}[price_data][product_data]`);
    rejectUnknown(productData, PRODUCT_DATA_PARAMS, `${base}[price_data][product_data]`);
    const name = optionalString(productData.name, `${base}[price_data][product_data][name]`);
    if (name === undefined || name === "") throw missingParam(`${base}[price_data][product_data][name]`);
    const quantity = optionalInteger(item.quantity, `${base}[quantity]`);
    if (quantity === undefined) throw missingParam(`${base}[quantity]`);
    if (quantity < 1) throw invalidRequest(`${base}[quantity] must be at least 1.`, `${base}[quantity]`);
    const total = unitAmount * quantity;
    return {
      id: createId("li"),
      object: "item",
      amount_subtotal: total,
      amount_total: total,
      currency: currency.toLowerCase(),
      description: name,
      quantity,
      price: {
        object: "price",
        currency: currency.toLowerCase(),
        unit_amount: unitAmount,
        product_name: name,
      },
    };
  });
}

function readSessionCurrency(lineItems: Array<{ currency: string }>): string {
  const currencies = new Set(lineItems.map((item) => item.currency));
  if (currencies.size > 1)
    throw invalidRequest(
      `All line items must use one currency; got ${[...currencies].join(", ")}.`,
      "line_items",
    );
  return lineItems[0]?.currency ?? "";
}

/** expires_at, between 30 minutes and 24 hours after `now` (default: 24 hours). */
function readExpiry(params: FormObject, now: number): number {
  const expiresAt = optionalInteger(params.expires_at, "expires_at") ?? now + MAX_EXPIRY_SECONDS;
  if (expiresAt - now < MIN_EXPIRY_SECONDS) {
    throw invalidRequest(
      `expires_at (${expiresAt}) is ${expiresAt - now} s after creation; a Checkout Session must stay open at least 30 minutes.`,
      "expires_at",
    );
  }
  if (expiresAt - now > MAX_EXPIRY_SECONDS) {
    throw invalidRequest(
      `expires_at (${expiresAt}) is ${expiresAt - now} s after creation; a Checkout Session may stay open at most 24 hours.`,
      "expires_at",
    );
  }
  return expiresAt;
}

function readCaptureMethod(intentData: FormObject): string {
  const captureMethod =
    optionalString(intentData.capture_method, "payment_intent_data[capture_method]") ?? "automatic";
  if (captureMethod === "manual") {
    throw invalidRequest(
      "payment_intent_data[capture_method]=manual is not served by the stand-in; use automatic.",
      "payment_intent_data[capture_method]",
    );
  }
  if (captureMethod !== "automatic" && captureMethod !== "automatic_async")
    throw invalidRequest(`Invalid capture_method: ${captureMethod}.`, "payment_intent_data[capture_method]");
  return captureMethod;
}

/** payment_method_types (or allowed_payment_method_types): card only. */
function readMethodTypes(params: FormObject): string[] | undefined {
  const methodTypes =
    optionalStringList(params.payment_method_types, "payment_method_types") ??
    optionalStringList(params.allowed_payment_method_types, "allowed_payment_method_types");
  const unsupported = (methodTypes ?? []).filter((type) => type !== "card");
  if (unsupported.length > 0) {
    throw invalidRequest(
      `Payment method type ${unsupported.join(", ")} is not served by the stand-in; use card.`,
      "payment_method_types",
    );
  }
  return methodTypes;
}

/** Everything a create request says, checked in Stripe's order; the first problem is thrown. */
function readSessionRequest(context: ProviderContext, params: FormObject) {
  rejectUnknown(params, SESSION_CREATE_PARAMS);
  const mode = optionalString(params.mode, "mode");
  if (mode === undefined || mode === "") throw missingParam("mode");
  if (mode !== "payment")
    throw invalidRequest(
      `mode=${mode} is not served by the stand-in; it supports mode=payment only.`,
      "mode",
    );
  const lineItems = readLineItems(params);
  const currency = readSessionCurrency(lineItems);
  const now = context.nowSeconds();
  const expiresAt = readExpiry(params, now);
  const intentData = optionalObject(params.payment_intent_data, "payment_intent_data") ?? {};
  rejectUnknown(intentData, PAYMENT_INTENT_DATA_PARAMS, "payment_intent_data");
  const captureMethod = readCaptureMethod(intentData);
  const clientReferenceId = optionalString(params.client_reference_id, "client_reference_id");
  if (clientReferenceId !== undefined && clientReferenceId.length > 200)
    throw invalidRequest("client_reference_id is longer than 200 characters.", "client_reference_id");
  const methodTypes = readMethodTypes(params);
  return { lineItems, currency, now, expiresAt, intentData, captureMethod, clientReferenceId, methodTypes };
}

export function createSession(
  context: ProviderContext,
  params: FormObject,
  _request: RequestInfo,
): SessionObject {
  const req = readSessionRequest(context, params);
  const { lineItems, expiresAt, intentData, clientReferenceId } = req;
  const total = lineItems.reduce((sum, item) => sum + item.amount_total, 0);
  const id = createId("cs_test", 58);
  const session: SessionObject = {
    id,
    object: "checkout.session",
    allowed_payment_method_types:
      optionalStringList(params.allowed_payment_method_types, "allowed_payment_method_types") ?? null,
    amount_subtotal: total,
    amount_total: total,
    cancel_url: readUrl(optionalString(params.cancel_url, "cancel_url"), "cancel_url"),
    client_reference_id:
      clientReferenceId === undefined || clientReferenceId === "" ? null : clientReferenceId,
    created: req.now,
    currency: req.currency,
    customer: null,
    customer_email: optionalString(params.customer_email, "customer_email") ?? null,
    expires_at: expiresAt,
    livemode: false,
    locale: optionalString(params.locale, "locale") ?? null,
    metadata: readMetadata(params.metadata, "metadata") ?? {},
    mode: "payment",
    payment_intent: null,
    payment_method_types: req.methodTypes ?? ["card"],
    payment_status: "unpaid",
    status: "open",
    success_url: readUrl(optionalString(params.success_url, "success_url"), "success_url"),
    ui_mode: "hosted",
    url: `${context.baseUrl()}/c/pay/${id}`,
  };
  const extras: SessionExtras = {
    lineItems,
    paymentIntentMetadata: readMetadata(intentData.metadata, "payment_intent_data[metadata]") ?? {},
    paymentIntentDescription:
      optionalString(intentData.description, "payment_intent_data[description]") ?? null,
    captureMethod: req.captureMethod,
    receiptEmail: optionalString(intentData.receipt_email, "payment_intent_data[receipt_email]") ?? null,
  };
  context.atomically(() => {
    context.store.insertObject("checkout.session", id, session, { status: "open", due: expiresAt });
    context.store.insertObject("session_extras", `${id}:extras`, extras);
  });
  return session;
}

export function getSession(context: ProviderContext, id: string): SessionObject {
  const session = context.store.getObject<SessionObject>("checkout.session", id);
  if (session === undefined) throw noSuchObject("checkout.session", id);
  return session;
}

export function getSessionExtras(context: ProviderContext, id: string): SessionExtras {
  const extras = context.store.getObject<SessionExtras>("session_extras", `${id}:extras`);
  if (extras === undefined) throw noSuchObject("checkout.session", id);
  return extras;
}

function markExpired(
  context: ProviderContext,
  session: SessionObject,
  request: RequestInfo | null,
): SessionObject {
  const expired: SessionObject = { ...session, status: "expired", url: null };
  context.store.updateObject(session.id, expired, { status: "expired", due: null });
  context.emitEvent("checkout.session.expired", expired, { request });
  return expired;
}

/** POST /v1/checkout/sessions/{id}/expire: only an open session can be expired. */
export function expireSession(
  context: ProviderContext,
  id: string,
  request: RequestInfo | null,
): SessionObject {
  return context.atomically(() => {
    const session = getSession(context, id);
    if (session.status !== "open") {
      throw invalidRequest(
        `Checkout Session ${id} has status ${session.status}; only a session with status open can be expired. Retrieve it to see its outcome.`,
      );
    }
    return markExpired(context, session, request);
  });
}

/** Expires every open session whose `expires_at` has passed; returns their ids. */
export function expireDueSessions(context: ProviderContext): string[] {
  const due = context.store.dueObjectIds("checkout.session", "open", context.nowSeconds());
  for (const id of due) {
    context.atomically(() => {
      const session = getSession(context, id);
      if (session.status === "open") markExpired(context, session, null);
    });
  }
  return due;
}

export type HostedOutcome =
  | { outcome: "paid"; session: SessionObject; paymentIntent: PaymentIntentObject }
  | { outcome: "declined"; session: SessionObject; paymentIntent: PaymentIntentObject }
  | { outcome: "not_open"; session: SessionObject };

/** The session, expired first if its time is up but the sweep has not reached it yet. */
export function refreshSession(context: ProviderContext, id: string): SessionObject {
  return context.atomically(() => openOrClosed(context, id));
}

/** The session, expiring it first when its time is up but the timer has not run yet. */
function openOrClosed(context: ProviderContext, id: string): SessionObject {
  const session = getSession(context, id);
  if (session.status === "open" && session.expires_at <= context.nowSeconds())
    return markExpired(context, session, null);
  return session;
}

function intentFor(
  context: ProviderContext,
  session: SessionObject,
): { intent: PaymentIntentObject; created: boolean } {
  if (session.payment_intent !== null) {
    const existing = context.store.getObject<PaymentIntentObject>("payment_intent", session.payment_intent);
    if (existing !== undefined) return { intent: existing, created: false };
  }
  const extras = getSessionExtras(context, session.id);
  const intent: PaymentIntentObject = {
    id: createId("pi"),
    object: "payment_intent",
    amount: session.amount_total,
    amount_capturable: 0,
    amount_received: 0,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: extras.captureMethod,
    created: context.nowSeconds(),
    currency: session.currency,
    description: extras.paymentIntentDescription,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: extras.paymentIntentMetadata,
    payment_method_types: session.payment_method_types,
    receipt_email: extras.receiptEmail ?? null,
    status: "requires_payment_method",
  };
  context.store.insertObject("payment_intent", intent.id, intent, { status: intent.status });
  return { intent, created: true };
}

function newCharge(context: ProviderContext, intent: PaymentIntentObject, succeeded: boolean): ChargeObject {
  const charge: ChargeObject = {
    id: createId("ch"),
    object: "charge",
    amount: intent.amount,
    amount_captured: succeeded ? intent.amount : 0,
    amount_refunded: 0,
    captured: succeeded,
    created: context.nowSeconds(),
    currency: intent.currency,
    failure_code: succeeded ? null : "card_declined",
    failure_message: succeeded ? null : "Your card was declined.",
    livemode: false,
    metadata: intent.metadata,
    paid: succeeded,
    payment_intent: intent.id,
    refunded: false,
    status: succeeded ? "succeeded" : "failed",
  };
  context.store.insertObject("charge", charge.id, charge, { status: charge.status, ref: intent.id });
  return charge;
}

/** The hosted page's Pay: a succeeded PaymentIntent and a complete, paid session. */
export function paySession(context: ProviderContext, id: string): HostedOutcome {
  return context.atomically(() => {
    const current = openOrClosed(context, id);
    if (current.status !== "open") return { outcome: "not_open", session: current };
    const { intent, created } = intentFor(context, current);
    if (created) context.emitEvent("payment_intent.created", intent);
    const charge = newCharge(context, intent, true);
    const paidIntent: PaymentIntentObject = {
      ...intent,
      amount_received: intent.amount,
      last_payment_error: null,
      latest_charge: charge.id,
      status: "succeeded",
    };
    context.store.updateObject(paidIntent.id, paidIntent, { status: paidIntent.status });
    const session: SessionObject = {
      ...current,
      status: "complete",
      payment_status: "paid",
      payment_intent: paidIntent.id,
      url: null,
    };
    context.store.updateObject(session.id, session, { status: "complete", due: null, ref: paidIntent.id });
    context.emitEvent("charge.succeeded", charge);
    context.emitEvent("payment_intent.succeeded", paidIntent);
    context.emitEvent("checkout.session.completed", session);
    return { outcome: "paid", session, paymentIntent: paidIntent };
  });
}

/** The hosted page's Decline: the card is refused, the session stays open for another try. */
export function declineSession(context: ProviderContext, id: string): HostedOutcome {
  return context.atomically(() => {
    const current = openOrClosed(context, id);
    if (current.status !== "open") return { outcome: "not_open", session: current };
    const { intent, created } = intentFor(context, current);
    if (created) context.emitEvent("payment_intent.created", intent);
    const charge = newCharge(context, intent, false);
    const failedIntent: PaymentIntentObject = {
      ...intent,
      status: "requires_payment_method",
      latest_charge: charge.id,
      last_payment_error: {
        type: "card_error",
        code: "card_declined",
        decline_code: "generic_decline",
        message: "Your card was declined.",
        charge: charge.id,
      },
    };
    context.store.updateObject(failedIntent.id, failedIntent, { status: failedIntent.status });
    const session: SessionObject = { ...current, payment_intent: failedIntent.id };
    context.store.updateObject(session.id, session, { ref: failedIntent.id });
    context.emitEvent("charge.failed", charge);
    context.emitEvent("payment_intent.payment_failed", failedIntent);
    return { outcome: "declined", session, paymentIntent: failedIntent };
  });
}
