// The two ways to trust a PayPal webhook. "local" (the default) rebuilds the signed string
// <transmission id>|<transmission time>|<webhook id>|<CRC-32 of the raw body, unsigned decimal> and
// checks the SHA256withRSA signature against PayPal's certificate (cert-source.ts). "api" sends
// the headers and the event to POST /v1/notifications/verify-webhook-signature, one call per
// webhook. Both refuse a wrong algorithm and a transmission time too far from our clock first.

import { verify } from "node:crypto";
import { ProviderError, WebhookVerificationError } from "../errors";
import type { HeaderReader } from "../types";
import type { CertSource, FetchLike } from "./cert-source";
import { crc32 } from "./crc32";
import { readTransmissionHeaders } from "./webhook-headers";
import type { TransmissionHeaders } from "./webhook-headers";

export type VerificationMode = "local" | "api";

export interface WebhookVerifierOptions {
  mode: VerificationMode;
  webhookId: string;
  toleranceSeconds: number;
  certs: CertSource;
  /** For "api": the API origin, a bearer token, and the fetch to send with. */
  api: { origin: string; accessToken: () => Promise<string>; fetch: FetchLike };
}

export interface WebhookInput {
  headers: HeaderReader;
  body: Uint8Array;
  receivedAt: Date;
}

export type WebhookVerifier = (input: WebhookInput, event: unknown) => Promise<void>;

export function signedString(headers: TransmissionHeaders, webhookId: string, body: Uint8Array): string {
  return `${headers.transmissionId}|${headers.transmissionTime}|${webhookId}|${crc32(body)}`;
}

export function createWebhookVerifier(options: WebhookVerifierOptions): WebhookVerifier {
  return async (input, event) => {
    const headers = readTransmissionHeaders(input.headers, input.receivedAt, options.toleranceSeconds);
    if (options.mode === "api") return verifyByApi(options, headers, event);
    const cert = await options.certs.certificate(headers.certUrl, input.receivedAt);
    const signature = Buffer.from(headers.transmissionSig, "base64");
    const data = Buffer.from(signedString(headers, options.webhookId, input.body), "utf8");
    if (signature.length === 0 || !verify("sha256", data, cert.publicKey, signature)) {
      throw new WebhookVerificationError(
        "BAD_SIGNATURE",
        "PayPal webhook signature does not match (wrong PAYPAL_WEBHOOK_ID, or a body changed in transit).",
      );
    }
  };
}

async function verifyByApi(
  options: WebhookVerifierOptions,
  headers: TransmissionHeaders,
  event: unknown,
): Promise<void> {
  const body = JSON.stringify({
    auth_algo: headers.authAlgo,
    cert_url: headers.certUrl,
    transmission_id: headers.transmissionId,
    transmission_sig: headers.transmissionSig,
    transmission_time: headers.transmissionTime,
    webhook_id: options.webhookId,
    webhook_event: event,
  });
  let status: unknown;
  try {
    const token = await options.api.accessToken();
    const response = await options.api.fetch(
      `${options.api.origin}/v1/notifications/verify-webhook-signature`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(10_000),
      },
    );
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    status = ((await response.json()) as { verification_status?: unknown }).verification_status;
  } catch (error) {
    // Not a verdict: nothing is stored, and PayPal delivers again after any non-2xx answer.
    throw new ProviderError({
      code: "PROVIDER_UNAVAILABLE",
      message: `PayPal verify-webhook-signature call failed (${(error as Error).message}).`,
      retryable: true,
      operation: "verify webhook signature",
      cause: error,
    });
  }
  if (status !== "SUCCESS") {
    throw new WebhookVerificationError(
      "BAD_SIGNATURE",
      `PayPal answered verification_status ${String(status)}.`,
    );
  }
}
