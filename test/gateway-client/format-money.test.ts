import { describe, expect, it } from "vitest";
import { formatMoney, fractionDigits } from "../../gateway-client/format-money";

describe("formatMoney", () => {
  it.each([
    [1250, "EUR", "en-US", "€12.50"],
    [1250, "EUR", "fr-FR", "12,50\u00a0€"],
    [199999, "USD", "en-US", "$1,999.99"],
    [1500, "JPY", "en-US", "¥1,500"],
    [1500, "JPY", "fr-FR", "1\u202f500\u00a0JPY"],
    [12345, "KWD", "en-US", "KWD\u00a012.345"],
    [12345, "KWD", "fr-FR", "12,345\u00a0KWD"],
    [0, "EUR", "en-US", "€0.00"],
  ])("%i minor units of %s in %s → %s", (minor, currency, locale, expected) => {
    expect(formatMoney(minor, currency, locale)).toBe(expected);
  });

  it("takes fraction digits from Intl: 2, 0, 3", () => {
    expect([fractionDigits("EUR"), fractionDigits("JPY"), fractionDigits("KWD")]).toEqual([2, 0, 3]);
  });
});
