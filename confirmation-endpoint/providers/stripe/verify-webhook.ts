// Verifies a Stripe webhook over its raw body (the kit's own check: the SDK accepts future
// timestamps and a single secret only) and maps the event it carries.

import { WebhookVerificationError } from "../errors";
import type { PaymentEvent } from "../types";
import type { HeaderReader } from "../types";
import type { KitOwner } from "./events";
import { mapStripeEvent, readEventEnvelope } from "./events";
import { verifyStripeSignature } from "./signature";

export interface WebhookSettings {
  secrets: string[];
  toleranceSeconds: number;
  livemode: boolean | null;
  owner: KitOwner;
}

export function verifyStripeWebhook(
  input: { headers: HeaderReader; body: Uint8Array; receivedAt: Date },
  resolved: WebhookSettings,
): PaymentEvent[] {
  verifyStripeSignature({
    header: input.headers.get("stripe-signature"),
    body: input.body,
    secrets: resolved.secrets,
    now: input.receivedAt,
    toleranceSeconds: resolved.toleranceSeconds,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input.body));
  } catch (error) {
    throw new WebhookVerificationError("MALFORMED", "Signed webhook body is not UTF-8 JSON.", error);
  }
  const envelope = readEventEnvelope(parsed);
  if (!envelope) {
    throw new WebhookVerificationError(
      "MALFORMED",
      "Signed webhook body is not a Stripe event (needs id, type, created, livemode and data.object).",
    );
  }
  if (resolved.livemode !== null && envelope.livemode !== resolved.livemode) {
    throw new WebhookVerificationError(
      "LIVEMODE_MISMATCH",
      `Event ${envelope.id} is a ${envelope.livemode ? "live" : "test"}-mode event but this endpoint runs in ${resolved.livemode ? "live" : "test"} mode; point the webhook at the matching endpoint.`,
    );
  }
  return [mapStripeEvent(envelope, resolved.owner)];
}
