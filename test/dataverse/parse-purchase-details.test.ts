import { describe, expect, it } from "vitest";
import { DataverseError } from "../../confirmation-endpoint/dataverse/errors";
import {
  currencyExponent,
  normalizeCurrency,
  toMinorUnits,
} from "../../confirmation-endpoint/dataverse/minor-units";
import {
  mergeAliases,
  parsePurchaseDetails,
} from "../../confirmation-endpoint/dataverse/parse-purchase-details";
import { parseDataverseError } from "../../confirmation-endpoint/dataverse/parse-error";
import { redactBody } from "../../confirmation-endpoint/dataverse/redact";
import {
  computeBackoff,
  isThrottleCode,
  parseRetryAfter,
} from "../../confirmation-endpoint/dataverse/retry-policy";

const PID = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("parsePurchaseDetails: accepted shapes", () => {
  const cases: Array<[string, unknown, { amountMinor: number; currency: string }]> = [
    [
      "single JSON-string output (stand-in)",
      { "@odata.context": "…", PurchaseDetails: '{"TotalAmount":125.5,"CurrencyIsoCode":"EUR"}' },
      { amountMinor: 12550, currency: "EUR" },
    ],
    [
      "flat outputs",
      { "@odata.context": "…", EventName: "E", Amount: 19.99, ISOCurrencyCode: "usd" },
      { amountMinor: 1999, currency: "USD" },
    ],
    ["numeric string amount", { Total: "1500", CurrencyCode: "JPY" }, { amountMinor: 1500, currency: "JPY" }],
    [
      "lower-case names",
      { totalprice: "7.125", isocurrencycode: "bhd" },
      { amountMinor: 7125, currency: "BHD" },
    ],
    [
      "single object output",
      { Result: { TotalAmount: 10, CurrencyIsoCode: "GBP" } },
      { amountMinor: 1000, currency: "GBP" },
    ],
    [
      "whole body as JSON text",
      '{"TotalAmount":"0","CurrencyIsoCode":"EUR"}',
      { amountMinor: 0, currency: "EUR" },
    ],
    [
      "details next to other outputs",
      { Status: "ok", Details: '{"Amount":3.5,"CurrencyIsoCode":"CHF"}' },
      { amountMinor: 350, currency: "CHF" },
    ],
    [
      "trailing zeros beyond the exponent",
      { Amount: "12.5000", CurrencyCode: "EUR" },
      { amountMinor: 1250, currency: "EUR" },
    ],
    [
      "annotations on values ignored",
      { "Amount@OData.Community.Display.V1.FormattedValue": "€5.00", Amount: 5, CurrencyCode: "EUR" },
      { amountMinor: 500, currency: "EUR" },
    ],
  ];
  it.each(cases)("%s", (_name, body, expected) => {
    expect(parsePurchaseDetails(PID, "msevtmgt_ListDetailedPurchaseInfo", body)).toMatchObject(expected);
  });

  it("uses configured aliases first", () => {
    const aliases = mergeAliases({ amount: ["Betrag"], currency: ["Waehrung"] });
    expect(parsePurchaseDetails(PID, "x", { Betrag: 9, Waehrung: "eur" }, aliases)).toMatchObject({
      amountMinor: 900,
      currency: "EUR",
    });
  });
});

describe("parsePurchaseDetails: fails closed", () => {
  const cases: Array<[string, unknown]> = [
    ["symbol instead of ISO code", { Amount: 10, CurrencySymbol: "€" }],
    ["currency name", { Amount: 10, Currency: "Euro" }],
    ["no amount", { CurrencyIsoCode: "EUR" }],
    ["too many decimals for EUR", { Amount: 10.005, CurrencyIsoCode: "EUR" }],
    ["decimals for JPY", { Amount: "100.5", CurrencyIsoCode: "JPY" }],
    ["negative amount", { Amount: -5, CurrencyIsoCode: "EUR" }],
    ["comma decimal", { Amount: "12,50", CurrencyIsoCode: "EUR" }],
    ["not an object", 42],
    ["broken JSON text", { PurchaseDetails: "{not json" }],
  ];
  it.each(cases)("%s", (_name, body) => {
    let error: unknown;
    try {
      parsePurchaseDetails(PID, "msevtmgt_GetPurchaseDetailsAction", body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataverseError);
    expect(error).toMatchObject({ code: "UNPARSEABLE_PURCHASE", retryable: false });
  });
});

describe("minor units and currencies", () => {
  it.each([
    [125.5, "EUR", 12550],
    ["0.1", "USD", 10],
    [1500, "JPY", 1500],
    [1500, "KRW", 1500],
    ["1.234", "KWD", 1234],
    ["2.5", "TND", 2500],
    [0.07, "EUR", 7],
    [1e21, "EUR", null],
    ["1e3", "EUR", null],
    ["", "EUR", null],
    [null, "EUR", null],
  ])("%s %s → %s", (value, currency, expected) => {
    expect(toMinorUnits(value, currency)).toBe(expected);
  });

  it("knows exponents and normalizes codes", () => {
    expect([currencyExponent("jpy"), currencyExponent("BHD"), currencyExponent("EUR")]).toEqual([0, 3, 2]);
    expect([normalizeCurrency(" eur "), normalizeCurrency("€"), normalizeCurrency("EURO")]).toEqual([
      "EUR",
      null,
      null,
    ]);
  });
});

describe("retry policy", () => {
  const now = Date.UTC(2026, 0, 15, 10, 0, 0);
  it("reads Retry-After as seconds or an HTTP-date", () => {
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter(new Date(now + 45_000).toUTCString(), now)).toBe(45_000);
    expect(parseRetryAfter(new Date(now - 5_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("recognizes throttling codes in hex and decimal", () => {
    for (const code of [
      "0x80072322",
      "0X80072321",
      "0x80072326",
      "-2147015902",
      "-2147015903",
      "-2147015898",
    ]) {
      expect(isThrottleCode(code)).toBe(true);
    }
    expect(isThrottleCode("0x80040265")).toBe(false);
  });

  it("backs off exponentially within [half, full] and caps", () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(computeBackoff(0, () => 0, opts)).toBe(50);
    expect(computeBackoff(0, () => 1, opts)).toBe(100);
    expect(computeBackoff(3, () => 1, opts)).toBe(800);
    expect(computeBackoff(10, () => 1, opts)).toBe(1000);
  });
});

describe("Dataverse error bodies", () => {
  it("keeps code, message, sub-code, inner message and request id", () => {
    const error = parseDataverseError({
      status: 400,
      headers: { req_id: "abc-123" },
      body: {
        error: {
          code: "0x80040265",
          message: "Plug-in says no",
          "@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode": "12",
          "@Microsoft.PowerApps.CDS.InnerError.Message": "ignored key",
          "@Microsoft.PowerApps.CDS.ErrorDetails.InnerError.Message": "Expired purchase",
        },
      },
      operation: "POST msevtmgt_FinalizeExternalRegistrationRequest",
      nowMs: 0,
    });
    expect(error).toMatchObject({
      status: 400,
      code: "0x80040265",
      subErrorCode: "12",
      requestId: "abc-123",
      retryable: false,
      ambiguous: false,
    });
    expect(error.message).toBe(
      "POST msevtmgt_FinalizeExternalRegistrationRequest failed with HTTP 400 0x80040265: Plug-in says no (Expired purchase)",
    );
  });

  it("copes with an empty code and a non-JSON body", () => {
    const error = parseDataverseError({
      status: 502,
      headers: {},
      body: "<html>Bad Gateway</html>",
      operation: "GET x",
      nowMs: 0,
    });
    expect(error).toMatchObject({ status: 502, code: "HTTP_502", retryable: true, ambiguous: true });
  });
});

describe("redaction", () => {
  it("hides personal data and secrets, also inside JSON text", () => {
    const text = redactBody({
      PurchaseDetails: JSON.stringify({
        Attendees: [{ FirstName: "Ada", Email: "ada@example.com", PassName: "Full" }],
      }),
      access_token: "abc",
    });
    expect(text).not.toMatch(/Ada|ada@example\.com|abc/);
    expect(text).toContain("Full");
  });
});
