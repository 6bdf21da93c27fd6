// Converts a decimal amount to integer minor units of an ISO 4217 currency without floating-point
// arithmetic, refusing amounts with more decimals than the currency has.

const ZERO_DECIMAL = new Set(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);
const THREE_DECIMAL = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);

/** Number of minor-unit digits of an ISO 4217 code (0 JPY/KRW…, 3 BHD/KWD/TND…, else 2). */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** A plain decimal string for a JSON number or numeric string, or null when it is not one. */
function toDecimalText(value: unknown): string | null {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    const text = String(value);
    return /e/i.test(text) ? null : text;
  }
  if (typeof value === "string") {
    const text = value.trim();
    return /^-?\d+(\.\d+)?$/.test(text) ? text : null;
  }
  return null;
}

/** Integer minor units, or null when `value` is not a non-negative amount representable in `currency`. */
export function toMinorUnits(value: unknown, currency: string): number | null {
  const text = toDecimalText(value);
  if (text === null || text.startsWith("-")) return null;
  const exponent = currencyExponent(currency);
  const [whole = "0", fraction = ""] = text.split(".");
  const extra = fraction.slice(exponent);
  if (/[1-9]/.test(extra)) return null;
  const digits = `${whole}${fraction.slice(0, exponent).padEnd(exponent, "0")}`;
  const minor = Number(digits);
  return Number.isSafeInteger(minor) ? minor : null;
}

/** An upper-case ISO 4217 code, or null when `value` is not three letters. */
export function normalizeCurrency(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const code = value.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : null;
}
