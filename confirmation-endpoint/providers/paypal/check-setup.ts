// What `npm run doctor` asks PayPal when PAYMENT_PROVIDER=paypal: do the client id and secret get a
// token in the configured environment, and does PAYPAL_WEBHOOK_ID name a webhook of that app (and
// where does it point). Answers one line per check in the doctor's pass / warn / fail shape.

import type { FetchLike } from "./cert-source";
import { paypalProvider } from "./plugin";
import type { PayPalEnvConfig } from "./plugin";
import { createPayPalClientWith, loadPayPalSdk } from "./client-with";

export interface SetupCheck {
  check: string;
  status: "pass" | "warn" | "fail";
  detail: string;
  fix?: string;
}

async function readWebhook(
  origin: string,
  token: string,
  webhookId: string,
  fetchFn: FetchLike,
): Promise<SetupCheck> {
  const check = "PayPal webhook";
  const response = await fetchFn(`${origin}/v1/notifications/webhooks/${encodeURIComponent(webhookId)}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status === 404) {
    return {
      check,
      status: "fail",
      detail: `no webhook ${webhookId} on this PayPal app`,
      fix: "Create a webhook for <endpoint>/v1/webhooks/paypal in the PayPal dashboard and put its id in PAYPAL_WEBHOOK_ID.",
    };
  }
  if (!response.ok)
    return {
      check,
      status: "warn",
      detail: `PayPal answered HTTP ${response.status}`,
      fix: "Run doctor again later.",
    };
  const url = String(((await response.json()) as { url?: unknown }).url ?? "");
  if (!url.endsWith("/v1/webhooks/paypal")) {
    return {
      check,
      status: "warn",
      detail: `webhook ${webhookId} points at ${url || "(no URL)"}`,
      fix: "Point the webhook at <endpoint>/v1/webhooks/paypal.",
    };
  }
  return { check, status: "pass", detail: `webhook ${webhookId} → ${url}` };
}

export async function checkPayPalSetup(
  config: PayPalEnvConfig,
  fetchFn: FetchLike = fetch,
): Promise<SetupCheck[]> {
  const client = createPayPalClientWith(await loadPayPalSdk(), {
    ...config,
    apiBase: config.apiBase ?? null,
    timeoutMs: 10_000,
    maxRetries: 0,
  });
  let token: string;
  try {
    token = await client.accessToken();
  } catch (error) {
    return [
      {
        check: "PayPal credentials",
        status: "fail",
        detail: `no token from ${client.origin} (${(error as Error).message.slice(0, 120)})`,
        fix: "Check PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and that PAYPAL_ENVIRONMENT matches the app (sandbox or live).",
      },
    ];
  }
  const credentials: SetupCheck = {
    check: "PayPal credentials",
    status: "pass",
    detail: `token from ${client.origin} (${config.environment})`,
  };
  try {
    return [credentials, await readWebhook(client.origin, token, config.webhookId, fetchFn)];
  } catch (error) {
    const detail = `webhook lookup failed (${(error as Error).message})`;
    return [credentials, { check: "PayPal webhook", status: "warn", detail, fix: "Run doctor again later." }];
  }
}

/** The same from the environment; a variable problem is a failed line naming the variable. */
export async function checkPayPalFromEnv(
  env: Record<string, string | undefined>,
  fetchFn: FetchLike = fetch,
): Promise<SetupCheck[]> {
  const read = paypalProvider.readEnv(env, true);
  if (read && "config" in read) return checkPayPalSetup(read.config, fetchFn);
  const problems = read?.problems ?? [];
  return problems.map((problem) => ({
    check: "PayPal configuration",
    status: "fail",
    detail: problem,
    fix: "Set the PAYPAL_* variables as .env.example describes.",
  }));
}
