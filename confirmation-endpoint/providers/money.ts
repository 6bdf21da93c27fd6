// Money in integer minor units. Dataverse hands out decimals, Stripe wants and returns integers
// in the currency's smallest unit with a lower-case code; the kit keeps an upper-case code and
// never lets a float near an amount.

import { InvalidMoneyError } from "./errors";
import type { Money } from "./types";

/*
 * Digits after the decimal point, for the ISO 4217 currencies that differ from 2 (the spec names
 * JPY and KRW with none, BHD, KWD and TND with 3; the rest follow ISO 4217). This is the kit's only
 * table: Dataverse decimals and provider amounts are read with it. A deployment can pass its own
 * table on top of this one.
 */
const ZERO_DECIMAL = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split(" ");
const THREE_DECIMAL = "BHD IQD JOD KWD LYD OMR TND".split(" ");

export const DEFAULT_CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries([...ZERO_DECIMAL.map((code) => [code, 0]), ...THREE_DECIMAL.map((code) => [code, 3])]),
);

export type CurrencyExponents = Readonly<Record<string, number>>;

/** Upper-case a three-letter ISO 4217 code and check its shape. */
export function normalizeCurrency(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper)) {
    throw new InvalidMoneyError(
      `Currency code ${JSON.stringify(code)} is not a three-letter ISO 4217 code; pass e.g. "EUR" or "usd".`,
    );
  }
  return upper;
}

/** Digits after the decimal point for a currency: overrides first, then the default table, then 2. */
export function currencyExponent(currency: string, overrides: CurrencyExponents = {}): number {
  const code = normalizeCurrency(currency);
  return overrides[code] ?? DEFAULT_CURRENCY_EXPONENTS[code] ?? 2;
}

/** Check a Money value: a positive safe integer (or zero when allowed) and an ISO code. */
export function assertMoney(money: Money, what: string, options: { allowZero?: boolean } = {}): Money {
  const currency = normalizeCurrency(money.currency);
  const min = options.allowZero ? 0 : 1;
  if (!Number.isSafeInteger(money.minor) || money.minor < min) {
    throw new InvalidMoneyError(
      `${what}: amount ${String(money.minor)} ${currency} is not a ${options.allowZero ? "non-negative" : "positive"} whole number of minor units; convert decimals with parseDecimalAmount first.`,
    );
  }
  return { minor: money.minor, currency };
}

/**
 * Turn a decimal amount ("25.00", "1500", 25.5) into minor units by the currency's exponent.
 * Trailing zeros past the exponent are fine ("25.0000" EUR); any other extra digit is refused
 * ("25.001" EUR), as are negatives, exponents and anything that is not a plain decimal.
 */
export function parseDecimalAmount(
  value: string | number,
  currency: string,
  overrides: CurrencyExponents = {},
): Money {
  const code = normalizeCurrency(currency);
  const exponent = currencyExponent(code, overrides);
  const text = typeof value === "number" ? String(value) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) {
    throw new InvalidMoneyError(
      `Amount ${JSON.stringify(value)} ${code} is not a plain non-negative decimal; expected digits with an optional fraction, e.g. "25.00".`,
    );
  }
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  const kept = fraction.slice(0, exponent);
  const dropped = fraction.slice(exponent);
  if (/[^0]/.test(dropped)) {
    throw new InvalidMoneyError(
      `Amount ${JSON.stringify(value)} ${code} has more than ${exponent} decimal digit(s); ${code} cannot express it exactly.`,
    );
  }
  const minor = Number(whole + kept.padEnd(exponent, "0"));
  if (!Number.isSafeInteger(minor)) {
    throw new InvalidMoneyError(`Amount ${JSON.stringify(value)} ${code} is too large to handle exactly.`);
  }
  return { minor, currency: code };
}

/** Render minor units as a decimal string with the currency's exponent ("2500" EUR → "25.00"). */
export function formatMinor(money: Money, overrides: CurrencyExponents = {}): string {
  const exponent = currencyExponent(money.currency, overrides);
  const digits = String(Math.abs(money.minor)).padStart(exponent + 1, "0");
  const sign = money.minor < 0 ? "-" : "";
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** An amount for a person to read ("25.00 EUR"); minor units as stored when the code is malformed. */
export function describeMoney(money: Money): string {
  try {
    return `${formatMinor(money)} ${normalizeCurrency(money.currency)}`;
  } catch {
    return `${money.minor} ${money.currency} (minor units)`;
  }
}

/** Read an amount from a provider that already counts in minor units (Stripe amount_total, Adyen value). */
export function moneyFromMinorUnits(amount: unknown, currency: unknown): Money | null {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 0) return null;
  if (typeof currency !== "string") return null;
  try {
    return { minor: amount, currency: normalizeCurrency(currency) };
  } catch {
    return null;
  }
}

/** Exact equality of amount and currency; the worker finalizes only on an exact match. */
export function sameMoney(a: Money, b: Money): boolean {
  return a.minor === b.minor && a.currency.toUpperCase() === b.currency.toUpperCase();
}
