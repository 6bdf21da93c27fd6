// PayPal amounts are decimal strings ("25.00") with PayPal's own digits per currency: HUF, JPY and
// TWD take no fraction at PayPal even though ISO 4217 gives HUF and TWD two. The kit keeps integer
// minor units by its own table (../money.ts); these two functions cross between the two without a
// float, and refuse anything that would not be exact.

import { InvalidMoneyError } from "../errors";
import { currencyExponent, formatMinor, normalizeCurrency, parseDecimalAmount } from "../money";
import type { CurrencyExponents } from "../money";
import type { Money } from "../types";

/** Currencies PayPal refuses decimals for (PayPal's currency codes list); overridable per deployment. */
export const PAYPAL_EXPONENTS: CurrencyExponents = Object.freeze({ HUF: 0, JPY: 0, TWD: 0 });

/** PayPal's amount.value limit: at most 32 characters (10 digits before the point is plenty). */
const MAX_VALUE_LENGTH = 32;

/** Minor units → PayPal's value string ("2500" EUR → "25.00"; "150000" HUF → "1500"). */
export function toPayPalValue(money: Money, overrides: CurrencyExponents = PAYPAL_EXPONENTS): string {
  const code = normalizeCurrency(money.currency);
  if (!Number.isSafeInteger(money.minor) || money.minor < 0) {
    throw new InvalidMoneyError(
      `Amount ${String(money.minor)} ${code} is not a whole number of minor units.`,
    );
  }
  const kit = currencyExponent(code);
  const paypal = currencyExponent(code, overrides);
  const text = formatMinor({ minor: money.minor, currency: code });
  if (paypal >= kit) return kit === paypal ? text : padFraction(text, kit, paypal);
  // PayPal takes fewer digits than the kit counts: the dropped ones must be zeros.
  const cut = kit - paypal;
  const dropped = text.slice(-cut);
  if (/[^0]/.test(dropped)) {
    throw new InvalidMoneyError(
      `${text} ${code} cannot be sent to PayPal: PayPal takes ${paypal} decimal digit(s) for ${code}.`,
    );
  }
  const kept = text.slice(0, -cut);
  return kept.endsWith(".") ? kept.slice(0, -1) : kept;
}

function padFraction(text: string, from: number, to: number): string {
  return from === 0 ? `${text}.${"0".repeat(to)}` : text + "0".repeat(to - from);
}

/**
 * PayPal's { currency_code, value } → kit minor units. Refuses more digits than PayPal allows for
 * the currency ("25.001" EUR, "1500.5" JPY), signs, exponents and anything not a plain decimal.
 */
export function fromPayPalAmount(
  currency: string,
  value: string,
  overrides: CurrencyExponents = PAYPAL_EXPONENTS,
): Money {
  const code = normalizeCurrency(currency);
  const match = typeof value === "string" ? /^\d+(?:\.(\d+))?$/.exec(value) : null;
  if (!match || value.length > MAX_VALUE_LENGTH) {
    throw new InvalidMoneyError(
      `PayPal amount ${JSON.stringify(value)} ${code} is not a plain decimal string.`,
    );
  }
  const paypal = currencyExponent(code, overrides);
  if ((match[1] ?? "").length > paypal) {
    throw new InvalidMoneyError(
      `PayPal amount ${JSON.stringify(value)} ${code} has more than ${paypal} decimal digit(s).`,
    );
  }
  return parseDecimalAmount(value, code);
}

/** The same, answering null for anything unreadable (event mapping never throws on an amount). */
export function readPayPalAmount(amount: unknown, overrides?: CurrencyExponents): Money | null {
  if (!amount || typeof amount !== "object") return null;
  const { currency_code: currency, value } = amount as Record<string, unknown>;
  if (typeof currency !== "string" || typeof value !== "string") return null;
  try {
    return fromPayPalAmount(currency, value, overrides);
  } catch {
    return null;
  }
}
