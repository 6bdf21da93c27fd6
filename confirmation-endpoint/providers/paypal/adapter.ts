// The PayPal implementation of PaymentProviderAdapter, through the official SDK
// (@paypal/paypal-server-sdk, Orders v2, intent CAPTURE). The buyer approves an order at PayPal;
// the worker captures it once (PayPal-Request-Id = the key it passes) and finalizes only on a
// completed capture. No expiry call: an approved order that is never captured is voided by PayPal,
// and a capture that lands after the guard is refunded by the core. The calls themselves are in
// order-calls.ts; this file wires the SDK client, the webhook verifier and the event mapping.

import { WebhookVerificationError } from "../errors";
import type { IdempotencyOptions, PaymentEvent, PaymentProviderAdapter, PaymentState } from "../types";
import { createCertSource } from "./cert-source";
import type { FetchLike } from "./cert-source";
import { apiOrigin } from "./api-origin";
import type { PayPalEnvironment } from "./api-origin";
import { lazyPayPalClient } from "./load-client";
import { mapPayPalEvent, readEnvelope } from "./events";
import { PAYPAL_EXPONENTS } from "./money";
import { captureOrder, createOrder, getOrderState, refundOrder } from "./order-calls";
import { createWebhookVerifier } from "./verify-webhook";
import type { VerificationMode, WebhookInput, WebhookVerifier } from "./verify-webhook";
import { DEFAULT_TOLERANCE_SECONDS } from "./webhook-headers";

export interface PayPalAdapterConfig {
  clientId: string;
  clientSecret: string;
  /** The id PayPal gave the webhook pointing at this endpoint; part of every signed string. */
  webhookId: string;
  environment: PayPalEnvironment;
  /** Origin replacing PayPal's API host (the sandbox's stand-in); null in production. */
  apiBase?: string | null | undefined;
  /** "local" (default) or "api". */
  verification?: VerificationMode | undefined;
  /** Extra certificate origins the local check may fetch from (the sandbox's); empty in production. */
  certOrigins?: readonly string[] | undefined;
  /** Marks this deployment's orders (invoice_id prefix); default "epg". */
  deploymentId?: string | undefined;
  toleranceSeconds?: number | undefined;
  timeoutMs?: number | undefined;
  /** The fetch for certificates and the verification API; global fetch by default. */
  fetch?: FetchLike | undefined;
}

/** PayPal's adapter: verification is asynchronous (certificate or API), and capture is always offered. */
export interface PayPalAdapter extends PaymentProviderAdapter {
  readonly name: "paypal";
  verifyAndParse(input: WebhookInput): Promise<PaymentEvent[]>;
  capture(
    ref: { providerSessionId?: string; providerPaymentId?: string },
    options: IdempotencyOptions,
  ): Promise<PaymentState>;
}

export const DEFAULT_DEPLOYMENT_ID = "epg";

async function parseWebhook(
  verify: WebhookVerifier,
  input: WebhookInput,
  options: { deploymentId: string; live: boolean },
): Promise<PaymentEvent[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input.body));
  } catch (error) {
    throw new WebhookVerificationError("MALFORMED", "PayPal webhook body is not UTF-8 JSON.", error);
  }
  await verify(input, parsed);
  const envelope = readEnvelope(parsed);
  if (!envelope) {
    throw new WebhookVerificationError(
      "MALFORMED",
      "Signed PayPal webhook is not an event (needs id, event_type, create_time and resource).",
    );
  }
  return [mapPayPalEvent(envelope, { ...options, exponents: PAYPAL_EXPONENTS })];
}

export function createPayPalAdapter(config: PayPalAdapterConfig): PayPalAdapter {
  const deploymentId = config.deploymentId ?? DEFAULT_DEPLOYMENT_ID;
  const fetchFn: FetchLike = config.fetch ?? ((url, init) => fetch(url, init));
  const client = lazyPayPalClient({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    environment: config.environment,
    apiBase: config.apiBase ?? null,
    timeoutMs: config.timeoutMs ?? 20_000,
    maxRetries: 2,
  });
  const verify = createWebhookVerifier({
    mode: config.verification ?? "local",
    webhookId: config.webhookId,
    toleranceSeconds: config.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
    certs: createCertSource({ fetch: fetchFn, allowedOrigins: config.certOrigins ?? [] }),
    api: {
      origin: apiOrigin(config.environment, config.apiBase ?? null),
      accessToken: async () => (await client()).accessToken(),
      fetch: fetchFn,
    },
  });
  const ctx = { client, deploymentId };
  const live = config.environment === "live";
  return {
    name: "paypal",
    createCheckout: (request, options) => createOrder(ctx, request, options),
    verifyAndParse: (input) => parseWebhook(verify, input, { deploymentId, live }),
    getPayment: (ref) => getOrderState(ctx, ref),
    capture: (ref, options) => captureOrder(ctx, ref, options),
    refund: (input, options) => refundOrder(ctx, input, options),
  };
}
