// The five headers PayPal signs a webhook with, read and checked before any signature work: every
// one present once, the algorithm the kit verifies (SHA256withRSA), and a transmission time within
// the tolerance of our clock in either direction. Both verification modes start here.

import { WebhookVerificationError } from "../errors";
import type { HeaderReader } from "../types";

export const PAYPAL_AUTH_ALGO = "SHA256withRSA";
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface TransmissionHeaders {
  transmissionId: string;
  transmissionTime: string;
  transmissionSig: string;
  certUrl: string;
  authAlgo: string;
}

const NAMES = {
  transmissionId: "paypal-transmission-id",
  transmissionTime: "paypal-transmission-time",
  transmissionSig: "paypal-transmission-sig",
  certUrl: "paypal-cert-url",
  authAlgo: "paypal-auth-algo",
} as const;

export function readTransmissionHeaders(
  headers: HeaderReader,
  now: Date,
  toleranceSeconds: number,
): TransmissionHeaders {
  const read = (name: string): string => {
    const value = headers.get(name)?.trim();
    if (!value)
      throw new WebhookVerificationError("BAD_SIGNATURE", `PayPal webhook without the ${name} header.`);
    // Headers joins a repeated header with ", "; none of these legitimately contains one.
    if (value.includes(", "))
      throw new WebhookVerificationError("MALFORMED", `PayPal webhook repeats ${name}.`);
    return value;
  };
  const found = {
    transmissionId: read(NAMES.transmissionId),
    transmissionTime: read(NAMES.transmissionTime),
    transmissionSig: read(NAMES.transmissionSig),
    certUrl: read(NAMES.certUrl),
    authAlgo: read(NAMES.authAlgo),
  };
  if (found.authAlgo !== PAYPAL_AUTH_ALGO) {
    throw new WebhookVerificationError(
      "BAD_SIGNATURE",
      `PayPal webhook signed with ${JSON.stringify(found.authAlgo.slice(0, 40))}; only ${PAYPAL_AUTH_ALGO} is accepted.`,
    );
  }
  const sent = Date.parse(found.transmissionTime);
  if (Number.isNaN(sent)) {
    throw new WebhookVerificationError("MALFORMED", "PayPal webhook transmission time is not a date.");
  }
  const skew = Math.abs(now.getTime() - sent) / 1000;
  if (skew > toleranceSeconds) {
    throw new WebhookVerificationError(
      "STALE_TIMESTAMP",
      `PayPal webhook transmission time is ${Math.round(skew)} s from our clock (at most ${toleranceSeconds} s); a replay or a wrong clock.`,
    );
  }
  return found;
}
