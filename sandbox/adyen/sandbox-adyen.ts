// `npm start -- --provider adyen`: the Adyen stand-in beside the sandbox's other parts, with keys
// made for this run only, and the endpoint variables that point the kit at it. start-sandbox.ts
// calls this in one place; everything Adyen-specific about the sandbox stays here.

import { randomBytes } from "node:crypto";
import { newHmacKey, startAdyenStandIn, type AdyenStandIn } from "./start-adyen-stand-in";

export interface SandboxAdyen {
  standIn: AdyenStandIn;
  /** The endpoint's ADYEN_* variables (and PAYMENT_PROVIDER=adyen); never printed. */
  env: Record<string, string>;
  /** Point the stand-in's notifications at the running endpoint. */
  attach(endpointUrl: string): void;
}

export async function startSandboxAdyen(options: {
  now: () => number;
  port?: number;
  /** Also deliver due notifications every this many real ms (see the stand-in's retryEveryMs). */
  retryEveryMs?: number;
}): Promise<SandboxAdyen> {
  const apiKey = `AQE-sandbox-${randomBytes(18).toString("base64url")}`;
  const hmacKey = newHmacKey();
  const basicAuth = { username: "adyen-sandbox", password: randomBytes(18).toString("base64url") };
  const merchantAccount = "SandboxEvents";
  const standIn = await startAdyenStandIn({
    apiKey,
    merchantAccount,
    hmacKey,
    basicAuth,
    now: options.now,
    port: options.port ?? 0,
    ...(options.retryEveryMs ? { retryEveryMs: options.retryEveryMs } : {}),
  });
  return {
    standIn,
    env: {
      PAYMENT_PROVIDER: "adyen",
      ADYEN_API_KEY: apiKey,
      ADYEN_MERCHANT_ACCOUNT: merchantAccount,
      ADYEN_HMAC_KEYS: hmacKey,
      ADYEN_ENVIRONMENT: "test",
      ADYEN_API_BASE: standIn.apiBase,
      ADYEN_WEBHOOK_USERNAME: basicAuth.username,
      ADYEN_WEBHOOK_PASSWORD: basicAuth.password,
    },
    attach(endpointUrl) {
      standIn.setWebhookUrl(`${endpointUrl}/v1/webhooks/adyen`);
    },
  };
}
