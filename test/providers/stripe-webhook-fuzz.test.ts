// Thousands of hostile webhook requests at verifyAndParse: random headers, random bytes, and
// correctly signed but strangely shaped JSON. The only acceptable failure is a
// WebhookVerificationError (the route's 400); anything accepted must be a well-formed PaymentEvent.
// A seeded generator keeps every run identical, so a failure can be replayed.

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { WebhookVerificationError } from "../../confirmation-endpoint/providers/errors";
import { createStripeAdapter } from "../../confirmation-endpoint/providers/stripe";
import { SUBSCRIBED_EVENT_TYPES } from "../../confirmation-endpoint/providers/stripe/events";
import type { PaymentEvent } from "../../confirmation-endpoint/providers/types";
import { mulberry32 } from "./seeded-random";

const SECRET = "whsec_fuzz";
const NOW = new Date("2026-11-26T12:00:00Z");
const NOW_S = Math.floor(NOW.getTime() / 1000);
const adapter = createStripeAdapter({ secretKey: "sk_test_fuzz", webhookSecrets: [SECRET] });

const random = mulberry32(20261126);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (max: number) => Math.floor(random() * max);

function randomString(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_-.,=: \u00e9\u0000\ud83d\ude00\"'\\{}[]";
  let out = "";
  for (let i = int(40); i > 0; i--) out += alphabet[int(alphabet.length)];
  return out;
}

function randomValue(depth = 0, kind = int(depth > 2 ? 6 : 8)): unknown {
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick([0, -1, 2500, 1.5, 1e21, Number.MAX_SAFE_INTEGER, 12340, 1500]);
    case 3:
      return pick([
        "eur",
        "JPY",
        "kwd",
        "",
        "EURO",
        "complete",
        "paid",
        "open",
        "expired",
        "unpaid",
        "succeeded",
        "epg",
      ]);
    case 4:
      return randomString();
    case 5:
      return pick(["pi_1", "cs_1", "re_1", "p-1"]);
    case 6:
      return Array.from({ length: int(3) }, () => randomValue(depth + 1));
    default: {
      const keys = [
        "id",
        "object",
        "status",
        "payment_status",
        "amount_total",
        "amount",
        "amount_received",
        "amount_refunded",
        "currency",
        "client_reference_id",
        "payment_intent",
        "metadata",
        "refunded",
        "livemode",
        "latest_charge",
      ];
      const out: Record<string, unknown> = {};
      for (let i = int(8); i > 0; i--) out[pick(keys)] = randomValue(depth + 1);
      if (random() < 0.5) out["metadata"] = { kit: "epg", purchaseId: randomValue(depth + 1) };
      return out;
    }
  }
}

const TYPES = [...SUBSCRIBED_EVENT_TYPES, "customer.created", ""];

function randomEventJson(): string {
  const event: Record<string, unknown> = {
    id: random() < 0.9 ? `evt_${int(1e6)}` : randomValue(),
    type: random() < 0.9 ? pick(TYPES) : randomValue(),
    created: random() < 0.9 ? NOW_S - int(1000) : randomValue(),
    livemode: random() < 0.9 ? false : randomValue(),
    data: random() < 0.9 ? { object: randomValue(0, 7) } : randomValue(),
  };
  if (random() < 0.1) delete event[pick(Object.keys(event))];
  return JSON.stringify(event);
}

function sign(body: Uint8Array, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac("sha256", SECRET).update(`${timestamp}.`).update(body).digest("hex")}`;
}

function randomHeader(body: Uint8Array): string | null {
  switch (int(10)) {
    case 0:
      return null;
    case 1:
      return randomString();
    case 2:
      return sign(body, NOW_S + pick([-100000, -301, 301, 3600, 1e12]));
    case 3:
      return `t=${NOW_S},v1=${randomString()}`;
    case 4:
      return `${sign(body, NOW_S)},${sign(body, NOW_S)}`;
    case 5:
      return sign(body, NOW_S).replace("v1=", pick(["v0=", "v2=", "V1=", "v1 ="]));
    default:
      return sign(body, NOW_S);
  }
}

const SIGNALS = new Set(["paid", "pending", "failed", "expired", "refunded", "refund_failed", "ignored"]);

/** Plain checks (not expect) so 3000 rounds stay fast; returns what is wrong, or null. */
function problemWith(event: PaymentEvent): string | null {
  if (event.provider !== "stripe") return "provider";
  if (typeof event.dedupeKey !== "string" || event.dedupeKey === "") return "dedupeKey";
  if (Number.isNaN(event.occurredAt.getTime())) return "occurredAt";
  if (!SIGNALS.has(event.signal)) return "signal";
  for (const id of [event.purchaseId, event.providerPaymentId, event.providerSessionId]) {
    if (!(id === null || (typeof id === "string" && id.length > 0))) return "id";
  }
  if (event.amount !== null) {
    if (!Number.isSafeInteger(event.amount.minor) || event.amount.minor < 0) return "amount.minor";
    if (!/^[A-Z]{3}$/.test(event.amount.currency)) return "amount.currency";
  }
  if (typeof event.live !== "boolean") return "live";
  return null;
}

describe("verifyAndParse under fuzzing", () => {
  it("rejects or cleanly parses 3000 hostile requests, never throwing anything else", () => {
    const outcomes = { accepted: 0, rejected: 0 };
    for (let i = 0; i < 3000; i++) {
      const body =
        random() < 0.2
          ? Uint8Array.from({ length: int(64) }, () => int(256))
          : new TextEncoder().encode(random() < 0.1 ? randomString() : randomEventJson());
      const header = randomHeader(body);
      const headers = new Headers();
      if (header !== null) {
        try {
          headers.set("stripe-signature", header);
        } catch {
          continue; // not a legal header value; a real request could not carry it either
        }
      }
      try {
        const events = adapter.verifyAndParse({ headers, body, receivedAt: NOW });
        const problem = events.length === 1 ? problemWith(events[0] as PaymentEvent) : "event count";
        if (problem)
          throw new Error(`case ${i}: accepted a malformed event (${problem}): ${JSON.stringify(events)}`);
        outcomes.accepted++;
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) {
          throw new Error(`case ${i}: unexpected ${String(error)} for header ${JSON.stringify(header)}`, {
            cause: error,
          });
        }
        outcomes.rejected++;
      }
    }
    // Both paths were exercised in earnest.
    expect(outcomes.accepted).toBeGreaterThan(300);
    expect(outcomes.rejected).toBeGreaterThan(300);
  });
});
