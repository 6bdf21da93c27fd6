// Builds the payment link request for a CheckoutRequest. Pure: everything comes in as arguments.
//
// The kit uses Pay by Link for the hosted page rather than a hosted Checkout session, because a
// link can be expired on request (PATCH status "expired") and read back by id (GET), which a
// session cannot: the deadline then closes the page for certain, and the worker re-reads a
// payment's link before it acts. The link's expiresAt is closeAt itself (spec §8.6).

import type { Types } from "@adyen/api-library";
import { ProviderError } from "../errors";
import { assertMoney, type CurrencyExponents } from "../money";
import type { CheckoutRequest } from "../types";
import { toAdyenAmount } from "./currency";

export const KIT_TAG = "epg";

/** Payment methods that settle at once (cards and card wallets); delayed ones can succeed days later. */
export const DEFAULT_PAYMENT_METHODS = ["scheme", "applepay", "googlepay"] as const;

export interface LinkOptions {
  merchantAccount: string;
  paymentMethods: readonly string[];
  manualCapture: boolean;
  /** Upper-case codes; empty means any. */
  allowedCurrencies: readonly string[];
  exponents?: CurrencyExponents;
  /** Written as metadata.deployment, so other deployments on the same account leave the link alone. */
  deploymentId?: string | null;
}

function invalid(message: string, cause?: unknown): ProviderError {
  return new ProviderError({
    code: "INVALID_INPUT",
    message,
    retryable: false,
    operation: "create payment link",
    cause,
  });
}

/** The kit's metadata on the link (Adyen: at most 20 keys, values up to 80 characters). */
export function buildKitMetadata(request: CheckoutRequest): Record<string, string> {
  const metadata: Record<string, string> = {
    purchaseId: request.purchaseId,
    readableEventId: request.readableEventId.slice(0, 80),
    mode: request.mode,
    kit: KIT_TAG,
  };
  if (request.userId) metadata["userId"] = request.userId;
  return metadata;
}

/** An Adyen shopperLocale ("de-DE") from a portal locale ("de_de", "de-DE"); null when unreadable. */
export function pickShopperLocale(locale: string | null): string | null {
  const match = /^([a-zA-Z]{2})(?:[-_]([a-zA-Z]{2}))?$/.exec(locale?.trim() ?? "");
  if (!match?.[1]) return null;
  return match[2] ? `${match[1].toLowerCase()}-${match[2].toUpperCase()}` : match[1].toLowerCase();
}

/** One Adyen line item per pass (amount including tax, in Adyen's unit), or null for none. */
function adyenLines(
  request: CheckoutRequest,
  exponents: LinkOptions["exponents"],
): Types.checkout.LineItem[] | null {
  if (!request.lines || request.lines.length === 0) return null;
  const items: Types.checkout.LineItem[] = [];
  for (const [index, line] of request.lines.entries()) {
    const unit = toAdyenAmount({ minor: line.unitMinor, currency: request.amount.currency }, exponents);
    if (!unit) return null;
    items.push({
      id: String(index + 1),
      description: line.name.slice(0, 280),
      quantity: line.quantity,
      amountIncludingTax: unit.value,
    });
  }
  return items;
}

export function buildPaymentLinkRequest(
  request: CheckoutRequest,
  options: LinkOptions,
): Types.checkout.PaymentLinkRequest {
  for (const [field, value] of Object.entries({
    purchaseId: request.purchaseId,
    readableEventId: request.readableEventId,
    mode: request.mode,
    successUrl: request.successUrl,
  })) {
    if (typeof value !== "string" || value.trim() === "") {
      throw invalid(
        `Checkout request field ${field} is empty; it is required to create an Adyen payment link.`,
      );
    }
  }
  let money;
  try {
    money = assertMoney(request.amount, `Checkout for purchase ${request.purchaseId}`);
  } catch (error) {
    throw invalid((error as Error).message, error);
  }
  if (options.allowedCurrencies.length > 0 && !options.allowedCurrencies.includes(money.currency)) {
    throw invalid(
      `Currency ${money.currency} of purchase ${request.purchaseId} is not among the configured currencies (${options.allowedCurrencies.join(", ")}).`,
    );
  }
  const amount = toAdyenAmount(money, options.exponents);
  if (!amount) {
    throw invalid(
      `Amount ${money.minor} ${money.currency} (minor units) of purchase ${request.purchaseId} cannot be expressed in Adyen's unit for ${money.currency}; fix the event's price.`,
    );
  }
  const link: Types.checkout.PaymentLinkRequest = {
    amount,
    merchantAccount: options.merchantAccount,
    reference: request.purchaseId,
    description: request.description.slice(0, 280),
    returnUrl: request.successUrl,
    expiresAt: request.closeAt,
    reusable: false,
    allowedPaymentMethods: [...options.paymentMethods],
    metadata: {
      ...buildKitMetadata(request),
      ...(options.deploymentId ? { deployment: options.deploymentId } : {}),
    },
  };
  const lineItems = adyenLines(request, options.exponents);
  if (lineItems) link.lineItems = lineItems;
  if (options.manualCapture) link.manualCapture = true;
  // The shopper's e-mail on the link: Adyen's shopper e-mails (receipts) go there when the merchant
  // account has them switched on in the Customer Area.
  if (request.receiptEmail) link.shopperEmail = request.receiptEmail;
  const locale = pickShopperLocale(request.locale);
  if (locale) link.shopperLocale = locale;
  return link;
}
