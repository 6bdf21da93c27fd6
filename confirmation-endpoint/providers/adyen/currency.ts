// Adyen counts amounts in minor units by its own currency table, which follows ISO 4217 except for
// a few codes. The kit keeps every Money in ISO minor units (providers/money.ts), so this file is
// the one place that scales an amount on its way to Adyen and back.
//
// Differences Adyen's currency-codes page marks "differs from standard" (CONFIRMED): CLP and ISK
// take 2 decimals at Adyen (0 in ISO 4217), CVE and IDR take 0 (2 in ISO 4217). Every other code
// uses the kit's table. A deployment may pass its own overrides if Adyen changes its table.

import { currencyExponent, normalizeCurrency, type CurrencyExponents } from "../money";
import type { Money } from "../types";

export const ADYEN_EXPONENT_OVERRIDES: CurrencyExponents = Object.freeze({ CLP: 2, ISK: 2, CVE: 0, IDR: 0 });

/** Decimals Adyen expects for a currency: the deployment's overrides, Adyen's differences, then ISO. */
export function adyenExponent(currency: string, overrides: CurrencyExponents = {}): number {
  const code = normalizeCurrency(currency);
  return overrides[code] ?? ADYEN_EXPONENT_OVERRIDES[code] ?? currencyExponent(code);
}

export interface AdyenAmount {
  value: number;
  currency: string;
}

/**
 * Kit Money (ISO minor units) → Adyen amount. Null when the amount cannot be expressed exactly in
 * Adyen's unit (IDR 100.50 has no whole rupiah count) or is out of range: the caller refuses it.
 */
export function toAdyenAmount(money: Money, overrides: CurrencyExponents = {}): AdyenAmount | null {
  const currency = normalizeCurrency(money.currency);
  const shift = adyenExponent(currency, overrides) - currencyExponent(currency);
  if (!Number.isSafeInteger(money.minor) || money.minor < 0) return null;
  if (shift >= 0) {
    const value = money.minor * 10 ** shift;
    return Number.isSafeInteger(value) ? { value, currency } : null;
  }
  const divisor = 10 ** -shift;
  if (money.minor % divisor !== 0) return null;
  return { value: money.minor / divisor, currency };
}

/** Adyen amount (as it arrives in a notification or an API answer) → kit Money; null when unreadable. */
export function fromAdyenAmount(amount: unknown, overrides: CurrencyExponents = {}): Money | null {
  if (typeof amount !== "object" || amount === null) return null;
  const { value, currency } = amount as { value?: unknown; currency?: unknown };
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) return null;
  if (typeof currency !== "string") return null;
  let code: string;
  try {
    code = normalizeCurrency(currency);
  } catch {
    return null;
  }
  const shift = adyenExponent(code, overrides) - currencyExponent(code);
  if (shift <= 0) {
    const minor = value * 10 ** -shift;
    return Number.isSafeInteger(minor) ? { minor, currency: code } : null;
  }
  const divisor = 10 ** shift;
  // CLP 1050 at Adyen is 10.50 pesos, which ISO (no decimals) cannot hold: not a kit amount.
  if (value % divisor !== 0) return null;
  return { minor: value / divisor, currency: code };
}
