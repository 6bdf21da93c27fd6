// PayPal's decimal strings against the kit's minor units, both ways, table-tested: no float
// anywhere, PayPal's own digits per currency (HUF, JPY, TWD take none), and every rounding trap
// refused rather than rounded.

import { describe, expect, it } from "vitest";
import { InvalidMoneyError } from "../../confirmation-endpoint/providers/errors";
import { fromPayPalAmount, toPayPalValue } from "../../confirmation-endpoint/providers/paypal/money";

describe("minor units → PayPal value", () => {
  it.each([
    [2500, "EUR", "25.00"],
    [1999, "USD", "19.99"], // 19.99 * 100 is 1998.9999… in floating point
    [1, "EUR", "0.01"],
    [0, "EUR", "0.00"],
    [1500, "JPY", "1500"],
    [150000, "HUF", "1500"], // ISO counts two digits, PayPal none
    [120000, "TWD", "1200"],
    [25001, "KWD", "25.001"],
    [900719925474099, "EUR", "9007199254740.99"],
  ])("%i %s → %s", (minor, currency, value) => {
    expect(toPayPalValue({ minor, currency })).toBe(value);
  });

  it.each([
    [150050, "HUF", /PayPal takes 0 decimal digit/],
    [2500.5, "EUR", /whole number/],
    [-100, "EUR", /whole number/],
    [100, "EURO", /ISO 4217/],
  ])("refuses %s %s", (minor, currency, message) => {
    expect(() => toPayPalValue({ minor, currency })).toThrow(message);
  });
});

describe("PayPal amount → minor units", () => {
  it.each([
    ["EUR", "25.00", 2500],
    ["EUR", "25", 2500],
    ["EUR", "25.1", 2510],
    ["USD", "0.29", 29], // 0.29 * 100 is 28.999… in floating point
    ["JPY", "1500", 1500],
    ["HUF", "1500", 150000],
    ["KWD", "25.001", 25001],
  ])("%s %s → %i", (currency, value, minor) => {
    expect(fromPayPalAmount(currency, value)).toEqual({ minor, currency });
  });

  it.each([
    ["EUR", "25.001"],
    ["EUR", "25.010"],
    ["JPY", "1500.0"],
    ["HUF", "1500.50"],
    ["EUR", "-25.00"],
    ["EUR", "2.5e1"],
    ["EUR", " 25.00"],
    ["EUR", "25."],
    ["EUR", "0x19"],
    ["EUR", "1".repeat(33)],
  ])("refuses %s %j", (currency, value) => {
    expect(() => fromPayPalAmount(currency, value)).toThrow(InvalidMoneyError);
  });
});
