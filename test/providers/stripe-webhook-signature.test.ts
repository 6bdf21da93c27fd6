// Webhook verification through the adapter's verifyAndParse: signatures made with the SDK's own
// test helper, so the kit's verifier is checked against Stripe's scheme rather than against itself.

import { createHmac } from "node:crypto";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { WebhookVerificationError } from "../../confirmation-endpoint/providers/errors";
import { createStripeAdapter } from "../../confirmation-endpoint/providers/stripe";
import { verifyStripeSignature } from "../../confirmation-endpoint/providers/stripe/signature";

const CURRENT = "whsec_current_0123456789";
const PREVIOUS = "whsec_previous_9876543210";
const NOW = new Date("2026-11-26T12:00:00Z");
const NOW_S = Math.floor(NOW.getTime() / 1000);

const adapter = createStripeAdapter({ secretKey: "sk_test_fake", webhookSecrets: [CURRENT, PREVIOUS] });

function eventBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: "evt_1",
    object: "event",
    type: "checkout.session.completed",
    created: NOW_S - 5,
    livemode: false,
    data: {
      object: {
        id: "cs_test_1",
        object: "checkout.session",
        status: "complete",
        payment_status: "paid",
        amount_total: 2500,
        currency: "eur",
        client_reference_id: "p-1",
        payment_intent: "pi_1",
        metadata: { purchaseId: "p-1", kit: "epg" },
      },
    },
    ...overrides,
  });
}

function sign(payload: string, secret = CURRENT, timestamp = NOW_S): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

function verify(body: string | Uint8Array, header: string | null, receivedAt = NOW) {
  const headers = new Headers();
  if (header !== null) headers.set("Stripe-Signature", header);
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return adapter.verifyAndParse({ headers, body: bytes, receivedAt });
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
  throw new Error("expected verification to fail");
}

describe("Stripe webhook signature", () => {
  it("accepts a correctly signed event and parses it", () => {
    const body = eventBody();
    const events = verify(body, sign(body));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ dedupeKey: "evt_1", signal: "paid", purchaseId: "p-1" });
  });

  it("rejects a request without the header", () => {
    expect(codeOf(() => verify(eventBody(), null))).toBe("BAD_SIGNATURE");
    expect(codeOf(() => verify(eventBody(), ""))).toBe("BAD_SIGNATURE");
  });

  it("rejects a body changed after signing, even by one byte", () => {
    const body = eventBody();
    const header = sign(body);
    const tampered = body.replace('"amount_total":2500', '"amount_total":2501');
    expect(tampered).not.toBe(body);
    expect(codeOf(() => verify(tampered, header))).toBe("BAD_SIGNATURE");
    // Whitespace counts too: the signature covers the raw bytes, not the parsed JSON.
    expect(codeOf(() => verify(`${body} `, header))).toBe("BAD_SIGNATURE");
  });

  it("rejects a signature made with an unknown secret", () => {
    const body = eventBody();
    expect(codeOf(() => verify(body, sign(body, "whsec_someone_else")))).toBe("BAD_SIGNATURE");
  });

  it("accepts the previous secret during rotation, and refuses it once removed", () => {
    const body = eventBody();
    expect(verify(body, sign(body, PREVIOUS))).toHaveLength(1);
    const rotated = createStripeAdapter({ secretKey: "sk_test_fake", webhookSecrets: [CURRENT] });
    const headers = new Headers({ "stripe-signature": sign(body, PREVIOUS) });
    expect(() =>
      rotated.verifyAndParse({ headers, body: new TextEncoder().encode(body), receivedAt: NOW }),
    ).toThrow(/No v1 signature matches/);
  });

  it("rejects timestamps 301 s in the past and 301 s or an hour in the future", () => {
    const body = eventBody();
    expect(codeOf(() => verify(body, sign(body, CURRENT, NOW_S - 301)))).toBe("STALE_TIMESTAMP");
    expect(codeOf(() => verify(body, sign(body, CURRENT, NOW_S + 301)))).toBe("STALE_TIMESTAMP");
    expect(codeOf(() => verify(body, sign(body, CURRENT, NOW_S + 3600)))).toBe("STALE_TIMESTAMP");
  });

  it("accepts timestamps up to 300 s away in either direction (clock skew)", () => {
    const body = eventBody();
    expect(verify(body, sign(body, CURRENT, NOW_S - 300))).toHaveLength(1);
    expect(verify(body, sign(body, CURRENT, NOW_S + 300))).toHaveLength(1);
    expect(verify(body, sign(body, CURRENT, NOW_S + 120))).toHaveLength(1);
    // Our clock 2 min fast: Stripe's timestamp looks 120 s old.
    expect(verify(body, sign(body, CURRENT, NOW_S - 120))).toHaveLength(1);
  });

  it("accepts a header with several v1 signatures when one matches", () => {
    const body = eventBody();
    const good = sign(body); // t=…,v1=…
    const wrong = createHmac("sha256", "whsec_other").update(`${NOW_S}.${body}`).digest("hex");
    const [t, v1] = good.split(",");
    expect(verify(body, `${t},v1=${wrong},${v1}`)).toHaveLength(1);
    expect(verify(body, `${t},${v1},v1=${wrong},v0=${wrong}`)).toHaveLength(1);
    expect(codeOf(() => verify(body, `${t},v1=${wrong},v1=${wrong}`))).toBe("BAD_SIGNATURE");
  });

  it("ignores v0 signatures", () => {
    const body = eventBody();
    const v0 = createHmac("sha256", CURRENT).update(`${NOW_S}.${body}`).digest("hex");
    expect(codeOf(() => verify(body, `t=${NOW_S},v0=${v0}`))).toBe("BAD_SIGNATURE");
  });

  it("rejects malformed headers", () => {
    const body = eventBody();
    const v1 = createHmac("sha256", CURRENT).update(`${NOW_S}.${body}`).digest("hex");
    expect(codeOf(() => verify(body, "garbage"))).toBe("MALFORMED");
    expect(codeOf(() => verify(body, `v1=${v1}`))).toBe("MALFORMED");
    expect(codeOf(() => verify(body, `t=abc,v1=${v1}`))).toBe("MALFORMED");
    expect(codeOf(() => verify(body, `t=${NOW_S},=x,v1=${v1}`))).toBe("MALFORMED");
    expect(codeOf(() => verify(body, `t=${NOW_S},v1=zz`))).toBe("BAD_SIGNATURE");
  });

  it("rejects a repeated Stripe-Signature header (two timestamps)", () => {
    const body = eventBody();
    const headers = new Headers();
    headers.append("stripe-signature", sign(body));
    headers.append("stripe-signature", sign(body));
    expect(() =>
      adapter.verifyAndParse({ headers, body: new TextEncoder().encode(body), receivedAt: NOW }),
    ).toThrow(expect.objectContaining({ code: "MALFORMED" }));
  });

  it("rejects a correctly signed body that is not JSON or not an event", () => {
    for (const body of ["not json", "[]", "{}", JSON.stringify({ id: "evt_1", type: "x" }), "\u0000"]) {
      expect(
        codeOf(() => verify(body, sign(body))),
        body,
      ).toBe("MALFORMED");
    }
    const invalidUtf8 = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
    const header = `t=${NOW_S},v1=${createHmac("sha256", CURRENT).update(`${NOW_S}.`).update(invalidUtf8).digest("hex")}`;
    expect(codeOf(() => verify(invalidUtf8, header))).toBe("MALFORMED");
  });

  it("rejects events of the other mode (test key, live event)", () => {
    const body = eventBody({ livemode: true });
    expect(codeOf(() => verify(body, sign(body)))).toBe("LIVEMODE_MISMATCH");
    const live = createStripeAdapter({ secretKey: "sk_live_fake", webhookSecrets: [CURRENT] });
    expect(live.livemode).toBe(true);
    const testBody = eventBody();
    const headers = new Headers({ "stripe-signature": sign(testBody) });
    expect(() =>
      live.verifyAndParse({ headers, body: new TextEncoder().encode(testBody), receivedAt: NOW }),
    ).toThrow(expect.objectContaining({ code: "LIVEMODE_MISMATCH" }));
  });

  it("never lets a zero tolerance disable the timestamp check", () => {
    const body = eventBody();
    expect(() =>
      verifyStripeSignature({
        header: sign(body, CURRENT, NOW_S - 10_000),
        body: new TextEncoder().encode(body),
        secrets: [CURRENT],
        now: NOW,
        toleranceSeconds: 0,
      }),
    ).toThrow(WebhookVerificationError);
    expect(() =>
      createStripeAdapter({ secretKey: "sk_test_x", webhookSecrets: [CURRENT], toleranceSeconds: 0 }),
    ).toThrow(/toleranceSeconds/);
  });

  it("verifies Buffer bodies byte for byte", () => {
    const body = Buffer.from(eventBody({ id: "evt_ünïcode" }), "utf8");
    const header = sign(body.toString("utf8"));
    const events = adapter.verifyAndParse({
      headers: new Headers({ "stripe-signature": header }),
      body,
      receivedAt: NOW,
    });
    expect(events[0]?.dedupeKey).toBe("evt_ünïcode");
  });
});
