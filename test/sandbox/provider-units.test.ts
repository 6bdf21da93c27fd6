// The stand-in's small pieces on their own: Stripe's bracket-notation form bodies, the signature,
// the backoff schedule and money formatting.
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { FormBodyError, parseFormBody } from "../../sandbox/provider/form-body";
import { formatMinor } from "../../sandbox/provider/html";
import { signWebhookPayload } from "../../sandbox/provider/sign-webhook";
import { DEFAULT_WEBHOOK_RETRY, retryDelayMs } from "../../sandbox/provider/webhook-dispatcher";

describe("parseFormBody", () => {
  it("nests bracket keys and turns indexed keys into arrays in index order", () => {
    const body =
      "mode=payment&line_items[1][quantity]=3&line_items[0][price_data][currency]=eur" +
      "&line_items[0][quantity]=1&metadata[purchaseId]=a%20b%2Bc&expand[]=payment_intent&expand[]=x.y&flag";
    expect(parseFormBody(body)).toEqual({
      mode: "payment",
      line_items: [{ price_data: { currency: "eur" }, quantity: "1" }, { quantity: "3" }],
      metadata: { purchaseId: "a b+c" },
      expand: ["payment_intent", "x.y"],
      flag: "",
    });
  });

  it("reads what the stripe SDK sends, brackets percent-encoded or not", () => {
    expect(parseFormBody("metadata%5BpurchaseId%5D=p1&created[gte]=10")).toEqual({
      metadata: { purchaseId: "p1" },
      created: { gte: "10" },
    });
  });

  it("rejects conflicting and malformed keys with a message naming them", () => {
    expect(() => parseFormBody("a=1&a[b]=2")).toThrow(FormBodyError);
    expect(() => parseFormBody("a[b=1")).toThrow(/a\[b/);
    expect(() => parseFormBody("__proto__[x]=1")).toThrow(/not allowed/);
    expect(() => parseFormBody("metadata[constructor]=1")).toThrow(/not allowed/);
    expect(() => parseFormBody("a=%E0%A4%A")).toThrow(/percent-encoding/);
  });
});

describe("signWebhookPayload", () => {
  it("produces the same header as the SDK's test helper and verifies with constructEvent", () => {
    const stripe = new Stripe("sk_test_unit");
    const payload = JSON.stringify(
      { id: "evt_1", object: "event", type: "checkout.session.completed" },
      null,
      2,
    );
    const secret = "whsec_unit_0123456789";
    const header = signWebhookPayload(payload, secret, 1_800_000_000);
    expect(header).toBe(
      stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: 1_800_000_000 }),
    );
    expect(stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, 1_800_000_010).id).toBe(
      "evt_1",
    );
    expect(() =>
      stripe.webhooks.constructEvent(`${payload} `, header, secret, 300, undefined, 1_800_000_010),
    ).toThrow();
  });
});

describe("retryDelayMs", () => {
  it("doubles from the initial wait, caps at the maximum and scales with timeScale", () => {
    const options = { ...DEFAULT_WEBHOOK_RETRY, initialDelayMs: 1000, maxDelayMs: 5000, timeScale: 1 };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(options, attempt))).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
    expect(retryDelayMs({ ...options, timeScale: 0.01 }, 2)).toBe(20);
  });
});

describe("formatMinor", () => {
  it("uses the currency's own exponent", () => {
    expect(formatMinor(1250, "eur")).toBe("€12.50");
    expect(formatMinor(1500, "jpy")).toBe("¥1,500");
    expect(formatMinor(1500, "kwd")).toMatch(/^KWD\s1\.500$/);
  });
});
