// Stripe's webhook signature, checked by the kit itself rather than by the SDK: the SDK accepts
// timestamps from the future and treats a tolerance of 0 as "no check" (spec §1.4), and it takes one
// secret at a time while rotation needs several.
//
// Scheme: header `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`; each v1 is the
// hex HMAC-SHA256 of `<t>.<raw body bytes>` under a `whsec_…` secret. Any v1 matching any secret
// passes; v0 and unknown schemes are ignored.

import { createHmac, timingSafeEqual } from "node:crypto";
import { WebhookVerificationError } from "../errors";

export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

export interface ParsedSignatureHeader {
  timestamp: number;
  /** The v1 signatures as raw bytes (32 each). */
  signatures: Buffer[];
}

/** Split a Stripe-Signature header. Throws MALFORMED on bad syntax, BAD_SIGNATURE when no v1 is present. */
export function parseSignatureHeader(header: string): ParsedSignatureHeader {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const rawPart of header.split(",")) {
    const part = rawPart.trim();
    const eq = part.indexOf("=");
    if (eq <= 0) {
      throw new WebhookVerificationError(
        "MALFORMED",
        "Stripe-Signature header has an element without `key=value`; expected t=<seconds>,v1=<hex>.",
      );
    }
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === "t") {
      if (timestamp !== null) {
        throw new WebhookVerificationError(
          "MALFORMED",
          "Stripe-Signature header carries more than one timestamp (a repeated header?); send exactly one t=.",
        );
      }
      if (!/^\d{1,12}$/.test(value)) {
        throw new WebhookVerificationError(
          "MALFORMED",
          "Stripe-Signature timestamp is not a whole number of seconds.",
        );
      }
      timestamp = Number(value);
    } else if (key === "v1") {
      // A v1 that is not 64 hex digits cannot match; skip it like an unknown scheme.
      if (/^[0-9a-fA-F]{64}$/.test(value)) signatures.push(Buffer.from(value, "hex"));
    }
  }
  if (timestamp === null) {
    throw new WebhookVerificationError("MALFORMED", "Stripe-Signature header has no t=<seconds> element.");
  }
  if (signatures.length === 0) {
    throw new WebhookVerificationError(
      "BAD_SIGNATURE",
      "Stripe-Signature header has no usable v1 signature; only v1 (HMAC-SHA256) signatures are accepted.",
    );
  }
  return { timestamp, signatures };
}

/** Hex-free HMAC of `<t>.<body>` under one secret. */
function computeSignature(secret: string, timestamp: number, body: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(body).digest();
}

export interface VerifySignatureInput {
  header: string | null;
  body: Uint8Array;
  secrets: readonly string[];
  now: Date;
  toleranceSeconds?: number;
}

/**
 * Verify a Stripe webhook over its raw body. Returns the signed timestamp; throws
 * WebhookVerificationError (BAD_SIGNATURE, STALE_TIMESTAMP, MALFORMED) otherwise.
 */
export function verifyStripeSignature(input: VerifySignatureInput): { timestamp: number } {
  const tolerance = input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  if (!(tolerance > 0)) {
    // Never let a zero or negative tolerance switch the check off (the SDK's trap).
    throw new WebhookVerificationError(
      "BAD_SIGNATURE",
      "Signature tolerance must be positive; refusing to verify.",
    );
  }
  if (input.secrets.length === 0) {
    throw new WebhookVerificationError(
      "BAD_SIGNATURE",
      "No webhook secret is configured; refusing to verify.",
    );
  }
  if (input.header === null || input.header.trim() === "") {
    throw new WebhookVerificationError("BAD_SIGNATURE", "Request has no Stripe-Signature header.");
  }
  const parsed = parseSignatureHeader(input.header);

  let matched = false;
  for (const secret of input.secrets) {
    const expected = computeSignature(secret, parsed.timestamp, input.body);
    for (const candidate of parsed.signatures) {
      // Every pair is compared, with no early exit, so timing reveals nothing about which matched.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) {
    throw new WebhookVerificationError(
      "BAD_SIGNATURE",
      "No v1 signature matches any configured webhook secret; check STRIPE_WEBHOOK_SECRETS against the endpoint's signing secret in the Stripe dashboard.",
    );
  }

  const skew = Math.abs(Math.floor(input.now.getTime() / 1000) - parsed.timestamp);
  if (skew > tolerance) {
    throw new WebhookVerificationError(
      "STALE_TIMESTAMP",
      `Signed timestamp is ${skew} s away from this server's clock (limit ${tolerance} s, past or future); a replay, or a clock that needs syncing.`,
    );
  }
  return { timestamp: parsed.timestamp };
}
