import { describe, expect, it } from "vitest";
import { toMinorUnits } from "../../confirmation-endpoint/dataverse/minor-units";
import { InvalidMoneyError } from "../../confirmation-endpoint/providers/errors";
import {
  assertMoney,
  currencyExponent,
  describeMoney,
  formatMinor,
  moneyFromMinorUnits,
  normalizeCurrency,
  parseDecimalAmount,
  sameMoney,
} from "../../confirmation-endpoint/providers/money";

describe("currency exponents", () => {
  it("uses 0 for JPY/KRW, 3 for BHD/KWD/TND and 2 otherwise", () => {
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("krw")).toBe(0);
    expect(currencyExponent("KWD")).toBe(3);
    expect(currencyExponent("bhd")).toBe(3);
    expect(currencyExponent("TND")).toBe(3);
    expect(currencyExponent("EUR")).toBe(2);
    expect(currencyExponent("USD")).toBe(2);
  });

  it("follows ISO 4217 beyond the spec's examples, the same table the Dataverse readers use", () => {
    expect(["CLP", "ISK", "VND", "XOF"].map((c) => currencyExponent(c))).toEqual([0, 0, 0, 0]);
    expect(["IQD", "JOD", "LYD", "OMR"].map((c) => currencyExponent(c))).toEqual([3, 3, 3, 3]);
    expect(["CLP", "OMR", "GBP"].map((c) => toMinorUnits("12", c))).toEqual([12, 12000, 1200]);
  });

  it("lets a deployment override the table", () => {
    expect(currencyExponent("ISK", { ISK: 0 })).toBe(0);
    expect(currencyExponent("JPY", { JPY: 2 })).toBe(2);
  });

  it("normalizes currency case and rejects malformed codes", () => {
    expect(normalizeCurrency(" eur ")).toBe("EUR");
    expect(() => normalizeCurrency("EURO")).toThrow(InvalidMoneyError);
    expect(() => normalizeCurrency("€")).toThrow(/three-letter/);
  });
});

describe("parseDecimalAmount", () => {
  it("converts EUR decimals to cents", () => {
    expect(parseDecimalAmount("25.00", "eur")).toEqual({ minor: 2500, currency: "EUR" });
    expect(parseDecimalAmount("24.99", "EUR")).toEqual({ minor: 2499, currency: "EUR" });
    expect(parseDecimalAmount("25", "EUR")).toEqual({ minor: 2500, currency: "EUR" });
    expect(parseDecimalAmount("25.5", "EUR")).toEqual({ minor: 2550, currency: "EUR" });
    expect(parseDecimalAmount(12.5, "EUR")).toEqual({ minor: 1250, currency: "EUR" });
    expect(parseDecimalAmount("25.0000", "EUR")).toEqual({ minor: 2500, currency: "EUR" });
  });

  it("keeps JPY whole and KWD in fils", () => {
    expect(parseDecimalAmount("1500", "jpy")).toEqual({ minor: 1500, currency: "JPY" });
    expect(parseDecimalAmount("1500.00", "JPY")).toEqual({ minor: 1500, currency: "JPY" });
    expect(parseDecimalAmount("12.345", "KWD")).toEqual({ minor: 12345, currency: "KWD" });
    expect(parseDecimalAmount("12.3", "kwd")).toEqual({ minor: 12300, currency: "KWD" });
  });

  it("refuses digits the currency cannot express", () => {
    expect(() => parseDecimalAmount("25.001", "EUR")).toThrow(/more than 2 decimal/);
    expect(() => parseDecimalAmount("1500.5", "JPY")).toThrow(/more than 0 decimal/);
    expect(() => parseDecimalAmount("1.2345", "KWD")).toThrow(InvalidMoneyError);
  });

  it("refuses non-decimals, negatives and exponents", () => {
    for (const bad of ["", "abc", "-1.00", "1e3", "1,00", " . ", "0x10", "25.", ".5"]) {
      expect(() => parseDecimalAmount(bad, "EUR"), bad).toThrow(InvalidMoneyError);
    }
    expect(() => parseDecimalAmount(1e21, "EUR")).toThrow(InvalidMoneyError);
    expect(() => parseDecimalAmount("99999999999999999999", "EUR")).toThrow(/too large/);
  });
});

describe("formatting and comparison", () => {
  it("formats minor units by exponent", () => {
    expect(formatMinor({ minor: 2500, currency: "EUR" })).toBe("25.00");
    expect(formatMinor({ minor: 5, currency: "EUR" })).toBe("0.05");
    expect(formatMinor({ minor: 1500, currency: "JPY" })).toBe("1500");
    expect(formatMinor({ minor: 12345, currency: "KWD" })).toBe("12.345");
  });

  it("reads Stripe's minor units and lower-case currency into upper-case Money", () => {
    expect(moneyFromMinorUnits(2500, "eur")).toEqual({ minor: 2500, currency: "EUR" });
    expect(moneyFromMinorUnits(1500, "jpy")).toEqual({ minor: 1500, currency: "JPY" });
    expect(moneyFromMinorUnits(12340, "kwd")).toEqual({ minor: 12340, currency: "KWD" });
    expect(moneyFromMinorUnits(25.5, "eur")).toBeNull();
    expect(moneyFromMinorUnits("2500", "eur")).toBeNull();
    expect(moneyFromMinorUnits(2500, null)).toBeNull();
  });

  it("compares exactly, currency case aside", () => {
    expect(sameMoney({ minor: 2500, currency: "EUR" }, { minor: 2500, currency: "eur" })).toBe(true);
    expect(sameMoney({ minor: 2499, currency: "EUR" }, { minor: 2500, currency: "EUR" })).toBe(false);
    expect(sameMoney({ minor: 2500, currency: "EUR" }, { minor: 2500, currency: "USD" })).toBe(false);
  });

  it("asserts positive whole minor units", () => {
    expect(assertMoney({ minor: 1, currency: "eur" }, "x")).toEqual({ minor: 1, currency: "EUR" });
    expect(() => assertMoney({ minor: 0, currency: "EUR" }, "x")).toThrow(/positive/);
    expect(assertMoney({ minor: 0, currency: "EUR" }, "x", { allowZero: true }).minor).toBe(0);
    expect(() => assertMoney({ minor: 12.5, currency: "EUR" }, "x")).toThrow(InvalidMoneyError);
    expect(() => assertMoney({ minor: Number.NaN, currency: "EUR" }, "x")).toThrow(InvalidMoneyError);
  });
});

describe("describeMoney", () => {
  it("renders an amount for a person, by the currency's exponent", () => {
    expect(describeMoney({ minor: 2500, currency: "eur" })).toBe("25.00 EUR");
    expect(describeMoney({ minor: 1500, currency: "JPY" })).toBe("1500 JPY");
    expect(describeMoney({ minor: 1, currency: "KWD" })).toBe("0.001 KWD");
    expect(describeMoney({ minor: 2500, currency: "EURO" })).toBe("2500 EURO (minor units)");
  });
});
