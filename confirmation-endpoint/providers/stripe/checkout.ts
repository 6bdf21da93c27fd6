// Builds the Checkout Session parameters from a CheckoutRequest. Pure: the clock comes in as `now`.
//
// Expiry (spec §1.2): Stripe accepts `expires_at` between 30 min and 24 h after creation. The kit
// asks for closeAt, pushed up to now + 30 min + 30 s (the 30 s absorbs clock skew) and down to
// 24 h minus a margin. When closeAt is earlier than Stripe's minimum, the session outlives the
// payment window: the caller sees expiresAt > closeAt and must schedule expireCheckout at closeAt;
// a payment that still slips through is refunded by the deadline guard.

import type Stripe from "stripe";
import { ProviderError } from "../errors";
import { assertMoney } from "../money";
import { toStripeAmount } from "./currency";
import type { CheckoutRequest } from "../types";

export const MIN_EXPIRY_SECONDS = 30 * 60 + 30;
export const MAX_EXPIRY_SECONDS = 24 * 60 * 60 - 5 * 60;
export const KIT_TAG = "epg";

/** Locales Checkout accepts, as listed by stripe@23's typings. */
const STRIPE_LOCALES = [
  "bg",
  "cs",
  "da",
  "de",
  "el",
  "en",
  "en-GB",
  "es",
  "es-419",
  "et",
  "fi",
  "fil",
  "fr",
  "fr-CA",
  "hi-IN",
  "hr",
  "hu",
  "id",
  "it",
  "ja",
  "ko",
  "lt",
  "lv",
  "ms",
  "mt",
  "nb",
  "nl",
  "pl",
  "pt",
  "pt-BR",
  "ro",
  "ru",
  "sk",
  "sl",
  "sv",
  "th",
  "tr",
  "vi",
  "zh",
  "zh-HK",
  "zh-TW",
] as const;

/**
 * Map a browser/portal locale ("de-DE", "pt_br", "EN") to one Checkout supports: exact tag first,
 * then the language alone; null (Stripe picks from the browser) when neither is supported.
 */
export function pickStripeLocale(locale: string | null): string | null {
  if (!locale) return null;
  const tag = locale.trim().replace(/_/g, "-").toLowerCase();
  if (tag === "") return null;
  const exact = STRIPE_LOCALES.find((l) => l.toLowerCase() === tag);
  if (exact) return exact;
  const language = tag.split("-")[0] ?? "";
  const byLanguage = STRIPE_LOCALES.find((l) => l === language);
  return byLanguage ?? null;
}

/** Unix seconds for expires_at: closeAt clamped into Stripe's window, measured from now. */
export function chooseExpiresAt(closeAt: Date, now: Date): number {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const wanted = Math.floor(closeAt.getTime() / 1000);
  const earliest = nowSeconds + MIN_EXPIRY_SECONDS;
  const latest = nowSeconds + MAX_EXPIRY_SECONDS;
  if (Number.isNaN(wanted)) return earliest;
  return Math.min(Math.max(wanted, earliest), latest);
}

export interface CheckoutParamOptions {
  now: Date;
  /** Written as metadata.deployment, so other deployments on the same account leave it alone. */
  deploymentId?: string | null;
  paymentMethodTypes: readonly string[];
  /** Upper-case codes; empty means any. */
  allowedCurrencies: readonly string[];
}

function requireText(value: string, field: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ProviderError({
      code: "INVALID_INPUT",
      message: `Checkout request field ${field} is empty; it is required to create a Stripe Checkout Session.`,
      retryable: false,
      operation: "create checkout session",
    });
  }
  return value;
}

/** The kit's metadata, on the session and on its payment intent alike. */
export function buildKitMetadata(request: CheckoutRequest): Record<string, string> {
  const metadata: Record<string, string> = {
    purchaseId: request.purchaseId,
    readableEventId: request.readableEventId,
  };
  // Stripe metadata cannot hold null; an absent userId is left out rather than sent empty.
  if (request.userId) metadata["userId"] = request.userId;
  metadata["mode"] = request.mode;
  metadata["kit"] = KIT_TAG;
  return metadata;
}

/**
 * One Stripe line per pass (price_data, quantity), or null for the single line: no lines given, or
 * a unit price Stripe cannot take in this currency. Stripe's total is the lines' sum, which the
 * caller made equal to the amount.
 */
function stripeLines(
  request: CheckoutRequest,
  currency: string,
): Stripe.Checkout.SessionCreateParams.LineItem[] | null {
  if (!request.lines || request.lines.length === 0) return null;
  try {
    return request.lines.map((line) => ({
      quantity: line.quantity,
      price_data: {
        currency: currency.toLowerCase(),
        unit_amount: toStripeAmount(
          { minor: line.unitMinor, currency },
          `A line of purchase ${request.purchaseId}`,
        ),
        product_data: { name: line.name },
      },
    }));
  } catch {
    return null;
  }
}

export function buildCheckoutSessionParams(
  request: CheckoutRequest,
  options: CheckoutParamOptions,
): Stripe.Checkout.SessionCreateParams {
  requireText(request.purchaseId, "purchaseId");
  requireText(request.readableEventId, "readableEventId");
  requireText(request.mode, "mode");
  requireText(request.description, "description");
  requireText(request.successUrl, "successUrl");
  requireText(request.cancelUrl, "cancelUrl");
  let amount;
  let stripeAmount: number;
  try {
    amount = assertMoney(request.amount, `Checkout for purchase ${request.purchaseId}`);
    stripeAmount = toStripeAmount(amount, `Checkout for purchase ${request.purchaseId}`);
  } catch (error) {
    throw new ProviderError({
      code: "INVALID_INPUT",
      message: (error as Error).message,
      retryable: false,
      operation: "create checkout session",
      cause: error,
    });
  }
  if (options.allowedCurrencies.length > 0 && !options.allowedCurrencies.includes(amount.currency)) {
    throw new ProviderError({
      code: "INVALID_INPUT",
      message: `Currency ${amount.currency} of purchase ${request.purchaseId} is not among the configured currencies (${options.allowedCurrencies.join(", ")}); add it to the configuration or fix the event's price list.`,
      retryable: false,
      operation: "create checkout session",
    });
  }

  const metadata = buildKitMetadata(request);
  if (options.deploymentId) metadata["deployment"] = options.deploymentId;
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: "payment",
    line_items: stripeLines(request, amount.currency) ?? [
      {
        quantity: 1,
        price_data: {
          currency: amount.currency.toLowerCase(),
          unit_amount: stripeAmount,
          product_data: { name: request.description },
        },
      },
    ],
    client_reference_id: request.purchaseId,
    metadata,
    // receipt_email: Stripe e-mails its receipt there once the payment succeeds.
    payment_intent_data: request.receiptEmail
      ? { metadata, receipt_email: request.receiptEmail }
      : { metadata },
    allowed_payment_method_types: [...options.paymentMethodTypes],
    expires_at: chooseExpiresAt(request.closeAt, request.requestedAt ?? options.now),
    success_url: request.successUrl,
    cancel_url: request.cancelUrl,
  };
  const locale = pickStripeLocale(request.locale);
  if (locale) params.locale = locale as Stripe.Checkout.SessionCreateParams.Locale;
  return params;
}
