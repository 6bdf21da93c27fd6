// The Adyen adapter's pure parts: Adyen's currency differences (table-tested both ways), the item
// HMAC against the official library's own validator, Basic auth, batch verification item by item,
// the event mapping, the idempotency key limit and the environment schema.

import { describe, expect, it } from "vitest";
import { hmacValidator } from "@adyen/api-library";
import { adyenIdempotencyKey, readLinkState } from "../../confirmation-endpoint/providers/adyen/adapter";
import { resolveAdyenConfig } from "../../confirmation-endpoint/providers/adyen/config";
import { checkBasicAuth } from "../../confirmation-endpoint/providers/adyen/basic-auth";
import { fromAdyenAmount, toAdyenAmount } from "../../confirmation-endpoint/providers/adyen/currency";
import { signedData, signItem, verifyItemSignature } from "../../confirmation-endpoint/providers/adyen/hmac";
import { parseNotificationBatch } from "../../confirmation-endpoint/providers/adyen/notifications";
import { adyenProvider } from "../../confirmation-endpoint/providers/adyen/plugin";

const KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
const OLD_KEY = "A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90";
const RECEIVED = new Date("2026-11-26T10:05:00Z");

function item(overrides: Record<string, unknown> = {}) {
  return {
    pspReference: "QFQTPCQ8HXSKGK82",
    merchantAccountCode: "ContosoEvents",
    merchantReference: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    amount: { value: 2500, currency: "EUR" },
    eventCode: "AUTHORISATION",
    eventDate: "2026-11-26T10:04:00+01:00",
    success: "true",
    additionalData: { paymentLinkId: "PL61C53A8B97E6915A" } as Record<string, string>,
    ...overrides,
  };
}

function signed(raw: ReturnType<typeof item>, key = KEY) {
  return { ...raw, additionalData: { ...raw.additionalData, hmacSignature: signItem(raw, key) } };
}

function batch(items: unknown[], live = "false"): Uint8Array {
  const body = { live, notificationItems: items.map((i) => ({ NotificationRequestItem: i })) };
  return new TextEncoder().encode(JSON.stringify(body));
}

const OPTIONS = { hmacKeys: [KEY], live: false, manualCapture: false, receivedAt: RECEIVED };

describe("Adyen minor units", () => {
  // [currency, kit minor units (ISO 4217), Adyen value]
  const cases: Array<[string, number, number]> = [
    ["EUR", 2500, 2500],
    ["USD", 1, 1],
    ["JPY", 1500, 1500],
    ["KRW", 30000, 30000],
    ["BHD", 25125, 25125],
    ["KWD", 1000, 1000],
    ["CLP", 15000, 1500000], // Adyen: 2 decimals, ISO: 0
    ["ISK", 2790, 279000], // Adyen: 2 decimals, ISO: 0
    ["IDR", 1500000, 15000], // Adyen: 0 decimals, ISO: 2
    ["CVE", 50000, 500], // Adyen: 0 decimals, ISO: 2
  ];
  it.each(cases)("%s %i (kit) is %i at Adyen, and back", (currency, minor, value) => {
    expect(toAdyenAmount({ minor, currency })).toEqual({ value, currency });
    expect(fromAdyenAmount({ value, currency })).toEqual({ minor, currency });
  });

  it("refuses what one side cannot express exactly", () => {
    expect(toAdyenAmount({ minor: 150050, currency: "IDR" })).toBeNull(); // 1500.50 rupiah
    expect(fromAdyenAmount({ value: 1050, currency: "CLP" })).toBeNull(); // 10.50 pesos
    expect(fromAdyenAmount({ value: -1, currency: "EUR" })).toBeNull();
    expect(fromAdyenAmount({ value: 1.5, currency: "EUR" })).toBeNull();
    expect(fromAdyenAmount({ value: 100, currency: "euro" })).toBeNull();
  });

  it("lets a deployment override a currency", () => {
    expect(toAdyenAmount({ minor: 100, currency: "CLP" }, { CLP: 0 })).toEqual({
      value: 100,
      currency: "CLP",
    });
  });
});

describe("Adyen item HMAC", () => {
  const validator = new hmacValidator();

  it("signs the eight documented fields, absent ones empty", () => {
    expect(signedData(item())).toBe(
      "QFQTPCQ8HXSKGK82::ContosoEvents:3f2504e0-4f89-11d3-9a0c-0305e82c3301:2500:EUR:AUTHORISATION:true",
    );
  });

  it("agrees with the official library in both directions", () => {
    const raw = item({ originalReference: "ABCDEF0123456789" });
    const ours = signItem(raw, KEY);
    expect(validator.validateHMAC({ ...raw, additionalData: { hmacSignature: ours } } as never, KEY)).toBe(
      true,
    );
    const theirs = validator.calculateHmac(raw as never, KEY);
    expect(verifyItemSignature(raw, theirs, [KEY])).toBe(true);
  });

  it("accepts the previous key during rotation and refuses once it is removed", () => {
    const signature = signItem(item(), OLD_KEY);
    expect(verifyItemSignature(item(), signature, [KEY, OLD_KEY])).toBe(true);
    expect(verifyItemSignature(item(), signature, [KEY])).toBe(false);
  });

  it("refuses a changed field, a missing, truncated or non-base64 signature", () => {
    const signature = signItem(item(), KEY);
    expect(verifyItemSignature(item({ amount: { value: 2501, currency: "EUR" } }), signature, [KEY])).toBe(
      false,
    );
    expect(verifyItemSignature(item(), undefined, [KEY])).toBe(false);
    expect(verifyItemSignature(item(), signature.slice(0, 20), [KEY])).toBe(false);
    expect(verifyItemSignature(item(), "not base64!", [KEY])).toBe(false);
  });
});

describe("Adyen webhook Basic auth", () => {
  const expected = { username: "adyen-hook", password: "p4ss:word" };
  const header = (pair: string) => `Basic ${Buffer.from(pair).toString("base64")}`;
  it("accepts exactly the configured pair", () => {
    expect(checkBasicAuth(header("adyen-hook:p4ss:word"), expected)).toBe(true);
    expect(checkBasicAuth(header("adyen-hook:p4ss:wor"), expected)).toBe(false);
    expect(checkBasicAuth(header("other:p4ss:word"), expected)).toBe(false);
    expect(checkBasicAuth(null, expected)).toBe(false);
    expect(checkBasicAuth("Bearer abc", expected)).toBe(false);
  });
});

describe("Adyen notification batches", () => {
  it("keeps the good item of a batch with one bad one and reports the bad one", () => {
    const good = signed(item());
    const bad = { ...signed(item({ pspReference: "ZZZZZZZZZZZZZZZZ" }), OLD_KEY) };
    const missing = item({ pspReference: "MMMMMMMMMMMMMMMM" });
    const parsed = parseNotificationBatch(batch([bad, good, missing]), OPTIONS);
    expect(parsed.events.map((e) => e.providerPaymentId)).toEqual(["QFQTPCQ8HXSKGK82"]);
    expect(parsed.rejected).toEqual([
      { index: 0, reason: "BAD_HMAC" },
      { index: 2, reason: "MISSING_HMAC" },
    ]);
  });

  it("refuses a batch with no good item, a batch of the other mode, and a body that is no batch", () => {
    expect(() => parseNotificationBatch(batch([signed(item(), OLD_KEY)]), OPTIONS)).toThrow(
      expect.objectContaining({ code: "BAD_SIGNATURE" }),
    );
    expect(() => parseNotificationBatch(batch([signed(item())], "true"), OPTIONS)).toThrow(
      expect.objectContaining({ code: "LIVEMODE_MISMATCH" }),
    );
    expect(() => parseNotificationBatch(new TextEncoder().encode("[accepted]"), OPTIONS)).toThrow(
      expect.objectContaining({ code: "MALFORMED" }),
    );
    expect(() => parseNotificationBatch(new TextEncoder().encode("{}"), OPTIONS)).toThrow(
      expect.objectContaining({ code: "MALFORMED" }),
    );
  });

  const mapped = (overrides: Record<string, unknown>, manualCapture = false) =>
    parseNotificationBatch(batch([signed(item(overrides))]), { ...OPTIONS, manualCapture }).events[0]!;

  it("maps an authorisation to a paid payment on its link", () => {
    expect(mapped({})).toMatchObject({
      provider: "adyen",
      dedupeKey: "adyen:QFQTPCQ8HXSKGK82:AUTHORISATION:true",
      signal: "paid",
      purchaseId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
      providerPaymentId: "QFQTPCQ8HXSKGK82",
      providerSessionId: "PL61C53A8B97E6915A",
      amount: { minor: 2500, currency: "EUR" },
      live: false,
      occurredAt: new Date("2026-11-26T09:04:00Z"),
    });
    expect(mapped({}, true).signal).toBe("approved");
  });

  it.each([
    [{ success: "false" }, "ignored", "refused"],
    [{ additionalData: {} }, "ignored", "foreign"],
    [{ eventCode: "REFUND", originalReference: "ORIG000000000001" }, "refunded", "refunded"],
    [
      { eventCode: "REFUND", success: "false", originalReference: "ORIG000000000001" },
      "refund_failed",
      "refund_refused",
    ],
    [{ eventCode: "REFUND_FAILED", originalReference: "ORIG000000000001" }, "refund_failed", "refund_failed"],
    [{ eventCode: "CANCELLATION", originalReference: "ORIG000000000001" }, "refunded", "cancelled"],
    [{ eventCode: "CAPTURE", originalReference: "ORIG000000000001" }, "ignored", "captured"],
    [
      { eventCode: "CAPTURE", success: "false", originalReference: "ORIG000000000001" },
      "ignored",
      "capture_refused",
    ],
    [{ eventCode: "REPORT_AVAILABLE" }, "ignored", "report_available"],
  ])("maps %o to %s (%s)", (overrides, signal, status) => {
    const event = mapped(overrides);
    expect([event.signal, event.providerStatus]).toEqual([signal, status]);
    if (signal === "refunded" || signal === "refund_failed") {
      expect([event.providerPaymentId, event.providerRefundId]).toEqual([
        "ORIG000000000001",
        "QFQTPCQ8HXSKGK82",
      ]);
    }
  });
});

describe("Adyen idempotency keys", () => {
  it("passes keys up to 64 characters and replaces longer ones by a stable digest", () => {
    expect(adyenIdempotencyKey({ idempotencyKey: "refund:QFQTPCQ8HXSKGK82:deadline_passed" }, "x")).toBe(
      "refund:QFQTPCQ8HXSKGK82:deadline_passed",
    );
    const long = `checkout:${"a".repeat(80)}`;
    const key = adyenIdempotencyKey({ idempotencyKey: long }, "x");
    expect(key).toHaveLength(64);
    expect(adyenIdempotencyKey({ idempotencyKey: long }, "x")).toBe(key);
    expect(() => adyenIdempotencyKey({ idempotencyKey: "" }, "x")).toThrow(/idempotency key/);
  });
});

describe("Adyen environment", () => {
  it("lists every problem at once and repeats no value", () => {
    const env = {
      ADYEN_API_KEY: "",
      ADYEN_HMAC_KEYS: "not-hex-secret-value",
      ADYEN_ENVIRONMENT: "live",
      ADYEN_API_BASE: "ftp://user:pw@example.com",
      ADYEN_WEBHOOK_USERNAME: "only-the-user",
    };
    const result = adyenProvider.readEnv(env, true);
    expect(result && "problems" in result).toBe(true);
    const problems = (result as { problems: string[] }).problems;
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "ADYEN_API_KEY",
      "ADYEN_MERCHANT_ACCOUNT",
      "ADYEN_HMAC_KEYS",
      "ADYEN_API_BASE",
      "ADYEN_API_BASE",
      "ADYEN_WEBHOOK_USERNAME and ADYEN_WEBHOOK_PASSWORD",
    ]);
    expect(problems.join(" ")).not.toMatch(/not-hex-secret-value|only-the-user|user:pw/);
  });

  it("needs the live URL prefix in live, and is not configured when no variable is set", () => {
    const env = {
      ADYEN_API_KEY: "AQE-test-key",
      ADYEN_MERCHANT_ACCOUNT: "ContosoEvents",
      ADYEN_HMAC_KEYS: `${KEY},${OLD_KEY}`,
      ADYEN_ENVIRONMENT: "live",
    };
    expect(adyenProvider.readEnv(env, true)).toEqual({
      problems: [expect.stringMatching(/^ADYEN_LIVE_URL_PREFIX: is required/)],
    });
    const ok = adyenProvider.readEnv(
      { ...env, ADYEN_LIVE_URL_PREFIX: "1797a841fbb37ca7-ContosoEvents" },
      true,
    );
    expect(ok).toMatchObject({
      config: { hmacKeys: [KEY, OLD_KEY], environment: "live", manualCapture: false },
    });
    expect(
      adyenProvider.readEnv({ ADYEN_ENVIRONMENT: "test", ADYEN_MANUAL_CAPTURE: "false" }, false),
    ).toBeNull();
    expect(adyenProvider.readEnv({ ADYEN_API_KEY: "AQE-key" }, false)).toMatchObject({
      problems: expect.any(Array),
    });
  });
});

describe("Adyen links and deployments sharing one merchant account (issue #14)", () => {
  const resolved = resolveAdyenConfig({
    apiKey: "AQE-test",
    merchantAccount: "Events",
    hmacKeys: ["00".repeat(32)],
    environment: "test",
    deploymentId: "prod",
  });
  const link = (metadata: Record<string, string>) =>
    ({
      id: "PL1",
      status: "completed",
      reference: "p-1",
      amount: { value: 2500, currency: "EUR" },
      metadata,
    }) as never;

  it("a link carrying another deployment's id is not ours: ignored, never refunded", () => {
    const state = readLinkState(
      link({ kit: "epg", deployment: "uat", purchaseId: "p-1" }),
      { providerPaymentId: "PSP1" },
      resolved,
    );
    expect(state).toMatchObject({ signal: "ignored", foreign: true, purchaseId: null });
  });

  it("this deployment's links, and links from before deployment ids, are read as the kit's", () => {
    const both: Array<Record<string, string>> = [{ kit: "epg", deployment: "prod" }, { kit: "epg" }];
    for (const metadata of both) {
      const state = readLinkState(link(metadata), { providerPaymentId: "PSP1" }, resolved);
      expect(state).toMatchObject({ signal: "paid", foreign: false, purchaseId: "p-1" });
    }
  });
});
