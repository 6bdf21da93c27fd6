// Dataverse hands out decimal amounts (JSON numbers or strings) and currency codes of any case.
// These readers answer null instead of throwing, so a parser can fail closed with its own message;
// the arithmetic and the exponent table are the provider side's, so both read money the same way.

import {
  currencyExponent,
  normalizeCurrency as normalizeCurrencyOrThrow,
  parseDecimalAmount,
} from "../providers/money";

export { currencyExponent };

/** Integer minor units, or null when `value` is not a non-negative amount representable in `currency`. */
export function toMinorUnits(value: unknown, currency: string): number | null {
  if (typeof value === "number" ? !Number.isFinite(value) : typeof value !== "string") return null;
  try {
    return parseDecimalAmount(value as number | string, currency).minor;
  } catch {
    return null;
  }
}

/** An upper-case ISO 4217 code, or null when `value` is not three letters. */
export function normalizeCurrency(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    return normalizeCurrencyOrThrow(value);
  } catch {
    return null;
  }
}
