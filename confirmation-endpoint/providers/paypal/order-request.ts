// The Orders v2 request for one checkout: intent CAPTURE, one purchase unit with the Dataverse
// amount in PayPal's decimal form, the purchase id in custom_id and this deployment's id in
// invoice_id (PayPal keeps invoice ids unique per account, so the attempt's own key follows it),
// and the gateway page as return and cancel URL.

import type {
  CheckoutPaymentIntent,
  Item,
  OrderRequest,
  PaypalExperienceUserAction,
  PaypalWalletContextShippingPreference,
} from "@paypal/paypal-server-sdk";
import { normalizeCurrency } from "../money";
import type { CurrencyExponents } from "../money";
import type { CheckoutRequest } from "../types";
import { toPayPalValue } from "./money";

/** PayPal's limit on custom_id, invoice_id and description. */
const MAX_FIELD = 127;

/** PayPal's locale pattern (language, optional script and region), e.g. en-US or fr-CA. */
const LOCALE = /^[a-z]{2}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$/;

export function invoiceIdFor(deploymentId: string, idempotencyKey: string): string {
  return `${deploymentId}:${idempotencyKey}`.slice(0, MAX_FIELD);
}

/**
 * One PayPal item per pass, or null for none. PayPal requires the items to add up to
 * `breakdown.itemTotal`, which is the whole amount: the caller only sends lines that do.
 */
function payPalItems(
  request: CheckoutRequest,
  currencyCode: string,
  exponents: CurrencyExponents | undefined,
): Item[] | null {
  if (!request.lines || request.lines.length === 0) return null;
  try {
    return request.lines.map((line) => ({
      name: line.name.slice(0, MAX_FIELD),
      quantity: String(line.quantity),
      unitAmount: {
        currencyCode,
        value: toPayPalValue({ minor: line.unitMinor, currency: currencyCode }, exponents),
      },
    }));
  } catch {
    return null;
  }
}

export function buildOrderRequest(
  request: CheckoutRequest,
  options: { deploymentId: string; idempotencyKey: string; exponents?: CurrencyExponents },
): OrderRequest {
  const currencyCode = normalizeCurrency(request.amount.currency);
  const items = payPalItems(request, currencyCode, options.exponents);
  return {
    // The SDK's enums are these strings; naming them by value keeps the SDK unloaded here.
    intent: "CAPTURE" as CheckoutPaymentIntent,
    purchaseUnits: [
      {
        amount: {
          currencyCode,
          value: toPayPalValue(request.amount, options.exponents),
          ...(items
            ? {
                breakdown: {
                  itemTotal: { currencyCode, value: toPayPalValue(request.amount, options.exponents) },
                },
              }
            : {}),
        },
        ...(items ? { items } : {}),
        customId: request.purchaseId,
        invoiceId: invoiceIdFor(options.deploymentId, options.idempotencyKey),
        description: request.description.slice(0, MAX_FIELD),
      },
    ],
    paymentSource: {
      paypal: {
        experienceContext: {
          returnUrl: request.successUrl,
          cancelUrl: request.cancelUrl,
          userAction: "PAY_NOW" as PaypalExperienceUserAction,
          shippingPreference: "NO_SHIPPING" as PaypalWalletContextShippingPreference,
          ...(request.locale && LOCALE.test(request.locale) ? { locale: request.locale } : {}),
        },
      },
    },
  };
}
