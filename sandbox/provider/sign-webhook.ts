// Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
// keyed with the endpoint's whsec_… secret used as-is (its bytes, not decoded). While a secret is
// being rolled, one v1 per active secret is sent, so a receiver holding either one accepts it.
import { createHmac } from "node:crypto";

export function signWebhookPayload(
  payload: string,
  secrets: string | readonly string[],
  timestampSeconds: number,
): string {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  const signatures = list.map(
    (secret) =>
      `v1=${createHmac("sha256", secret).update(`${timestampSeconds}.${payload}`, "utf8").digest("hex")}`,
  );
  return [`t=${timestampSeconds}`, ...signatures].join(",");
}
