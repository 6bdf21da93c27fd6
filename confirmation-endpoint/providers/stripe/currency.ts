// Stripe's own minor units, which differ from ISO 4217 (the kit's unit, see ../money.ts) for some
// currencies. Every amount that crosses the Stripe boundary goes through here, both ways, so a
// price is never charged at 1/100 or 100 times its value and the kit's comparison stays in one unit.
//
// From Stripe's currency documentation (docs.stripe.com/currencies, "zero-decimal", "three-decimal"
// and "special cases"; CONFIRMED there, kept overridable because Stripe has changed these before):
// - zero-decimal in the API: BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF;
// - three-decimal: BHD JOD KWD OMR TND, and the last digit must be 0 (amounts round to tens);
// - ISK is zero-decimal by ISO but stays two-decimal in Stripe's API, in multiples of 100 only;
// - HUF and TWD are two-decimal for charges (whole units only for payouts, which the kit never makes).

import { InvalidMoneyError } from "../errors";
import { currencyExponent, normalizeCurrency } from "../money";
import type { CurrencyExponents } from "../money";
import type { Money } from "../types";

const ZERO = "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split(" ");
const THREE = "BHD JOD KWD OMR TND".split(" ");

export const STRIPE_EXPONENTS: CurrencyExponents = Object.freeze(
  Object.fromEntries([...ZERO.map((c) => [c, 0]), ...THREE.map((c) => [c, 3])]),
);

/** Digits after the decimal point in Stripe's API (overrides first, then Stripe's table, then 2). */
export function stripeExponent(currency: string, overrides: CurrencyExponents = {}): number {
  const code = normalizeCurrency(currency);
  return overrides[code] ?? STRIPE_EXPONENTS[code] ?? 2;
}

function rescale(amount: number, from: number, to: number, what: string, code: string): number {
  if (to >= from) return amount * 10 ** (to - from);
  const factor = 10 ** (from - to);
  if (amount % factor !== 0) {
    throw new InvalidMoneyError(
      `${what}: ${amount} ${code} cannot be expressed in ${to} decimal(s) exactly.`,
    );
  }
  return amount / factor;
}

/** The kit's ISO minor units as Stripe's `amount`, or InvalidMoneyError when Stripe cannot take it exactly. */
export function toStripeAmount(money: Money, what: string, overrides: CurrencyExponents = {}): number {
  const code = normalizeCurrency(money.currency);
  const amount = rescale(money.minor, currencyExponent(code), stripeExponent(code, overrides), what, code);
  if (THREE.includes(code) && amount % 10 !== 0) {
    throw new InvalidMoneyError(
      `${what}: ${code} amounts at Stripe must end in 0 (whole tens of the smallest unit); the price in Dynamics cannot be charged as it is.`,
    );
  }
  if (code === "ISK" && amount % 100 !== 0) {
    throw new InvalidMoneyError(`${what}: Stripe takes ISK in whole krónur only.`);
  }
  return amount;
}

/** Stripe's `amount` and `currency` in the kit's ISO minor units; null when unreadable or not exact. */
export function fromStripeAmount(
  amount: unknown,
  currency: unknown,
  overrides: CurrencyExponents = {},
): Money | null {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 0) return null;
  if (typeof currency !== "string") return null;
  try {
    const code = normalizeCurrency(currency);
    const minor = rescale(
      amount,
      stripeExponent(code, overrides),
      currencyExponent(code),
      "Stripe amount",
      code,
    );
    return { minor, currency: code };
  } catch {
    return null;
  }
}
