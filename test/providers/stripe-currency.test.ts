// Stripe's minor units against ISO 4217's (issue #14, item 12): each special case of Stripe's
// currency table, both directions, and the amount the checkout actually sends.

import { describe, expect, it } from "vitest";
import { InvalidMoneyError, ProviderError } from "../../confirmation-endpoint/providers/errors";
import { buildCheckoutSessionParams } from "../../confirmation-endpoint/providers/stripe/checkout";
import { fromStripeAmount, toStripeAmount } from "../../confirmation-endpoint/providers/stripe/currency";
import type { Money } from "../../confirmation-endpoint/providers/types";

describe("Stripe amounts from the kit's ISO minor units", () => {
  it.each<[string, number, number]>([
    ["EUR", 2500, 2500],
    ["USD", 1, 1],
    ["JPY", 1500, 1500],
    ["KRW", 50000, 50000],
    ["UGX", 1000, 1000],
    ["HUF", 1050, 1050],
    ["TWD", 12345, 12345],
    // ISO says no decimals; Stripe keeps two and takes whole krónur: 5 ISK is 500.
    ["ISK", 5, 500],
    // ISO gives the ariary two decimals; Stripe none: 100.00 MGA is 100.
    ["MGA", 10000, 100],
    // Three decimals both ways, and Stripe wants the last digit 0.
    ["KWD", 5120, 5120],
    ["BHD", 1000, 1000],
  ])("%s %i → %i", (currency, minor, expected) => {
    expect(toStripeAmount({ minor, currency }, "test")).toBe(expected);
    expect(fromStripeAmount(expected, currency.toLowerCase())).toEqual({ minor, currency });
  });

  it.each<[string, number]>([
    ["KWD", 5124],
    ["JOD", 1],
    ["MGA", 10050],
  ])("refuses %s %i, which Stripe cannot take exactly", (currency, minor) => {
    expect(() => toStripeAmount({ minor, currency }, "test")).toThrow(InvalidMoneyError);
  });

  it("reads back only what maps exactly (a fractional ISK amount is unreadable, not rounded)", () => {
    expect(fromStripeAmount(501, "isk")).toBeNull();
    expect(fromStripeAmount(-1, "eur")).toBeNull();
    expect(fromStripeAmount(100, 5)).toBeNull();
  });
});

describe("the checkout Stripe receives", () => {
  const request = (amount: Money) => ({
    purchaseId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    readableEventId: "E1",
    userId: null,
    mode: "outbound",
    amount,
    description: "Summit",
    locale: null,
    successUrl: "https://portal.test/pay/?gatewayReturn=success",
    cancelUrl: "https://portal.test/pay/?gatewayReturn=cancel",
    closeAt: new Date(1_800_000_000_000 + 30 * 60_000),
  });
  const options = { paymentMethodTypes: ["card"], allowedCurrencies: [], now: new Date(1_800_000_000_000) };

  it("charges 5 ISK as 500 (main sent 5: a hundredth of the price)", () => {
    const params = buildCheckoutSessionParams(request({ minor: 5, currency: "ISK" }), options);
    expect(params.line_items?.[0]?.price_data?.unit_amount).toBe(500);
  });

  it("a retry later sends the same expires_at: it is counted from the attempt's reservation, not the clock", () => {
    const reserved = new Date(1_800_000_000_000);
    const soon = {
      ...request({ minor: 2500, currency: "EUR" }),
      closeAt: new Date(reserved.getTime() + 10 * 60_000),
    };
    const first = buildCheckoutSessionParams({ ...soon, requestedAt: reserved }, options);
    const later = buildCheckoutSessionParams(
      { ...soon, requestedAt: reserved },
      { ...options, now: new Date(reserved.getTime() + 7 * 60_000) },
    );
    expect(later.expires_at).toBe(first.expires_at);
  });

  it("refuses a KWD price Stripe would reject, before any call, as a provider input error", () => {
    expect(() => buildCheckoutSessionParams(request({ minor: 5124, currency: "KWD" }), options)).toThrow(
      ProviderError,
    );
  });
});
