// `npm start -- --provider paypal`: starts the PayPal stand-in beside the other stand-ins and hands
// the endpoint the PAYPAL_* variables that point at it. The credentials and webhook id live for this
// run only and are never printed. PAYPAL_CERT_ORIGINS lets the local signature check fetch the
// stand-in's throwaway certificate; production leaves it unset and keeps the paypal.com pin.

import { randomBytes } from "node:crypto";
import { startPayPalStandIn } from "./start-paypal-stand-in";
import type { RunningPayPalStandIn } from "./start-paypal-stand-in";

export interface SandboxPayPal {
  standIn: RunningPayPalStandIn;
  /** Variables for the endpoint's loadConfig. */
  env: Record<string, string>;
  /** Points the stand-in's webhooks at the running endpoint. */
  connect(endpointUrl: string): void;
  close(): Promise<void>;
}

export async function startSandboxPayPal(options: {
  now: () => number;
  port?: number;
}): Promise<SandboxPayPal> {
  const clientId = `sandbox-${randomBytes(8).toString("hex")}`;
  const clientSecret = randomBytes(24).toString("base64url");
  const webhookId = `WH${randomBytes(8).toString("hex").toUpperCase()}`;
  const standIn = await startPayPalStandIn({
    clientId,
    clientSecret,
    webhookId,
    now: () => new Date(options.now()),
    port: options.port ?? 0,
  });
  return {
    standIn,
    env: {
      PAYMENT_PROVIDER: "paypal",
      PAYPAL_CLIENT_ID: clientId,
      PAYPAL_CLIENT_SECRET: clientSecret,
      PAYPAL_WEBHOOK_ID: webhookId,
      PAYPAL_ENVIRONMENT: "sandbox",
      PAYPAL_API_BASE: standIn.url,
      PAYPAL_CERT_ORIGINS: standIn.url,
    },
    connect: (endpointUrl) => standIn.setWebhookUrl(`${endpointUrl}/v1/webhooks/paypal`),
    close: () => standIn.stop(),
  };
}
