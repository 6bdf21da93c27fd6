// PayPal's place in the provider registry: the variables it reads and how its adapter is built.
// PAYPAL_API_BASE and PAYPAL_CERT_ORIGINS exist for the sandbox's stand-in and stay unset in
// production, where the SDK's own hosts and the paypal.com certificate pin apply.

import { checkUrl, readList, readText } from "../../env-checks";
import type { ProviderPlugin } from "../registry";
import { createPayPalAdapter } from "./adapter";
import type { PayPalAdapterConfig } from "./adapter";

export type PayPalEnvConfig = Omit<PayPalAdapterConfig, "fetch" | "timeoutMs" | "toleranceSeconds">;

const VARIABLES = [
  "PAYPAL_CLIENT_ID",
  "PAYPAL_CLIENT_SECRET",
  "PAYPAL_WEBHOOK_ID",
  "PAYPAL_ENVIRONMENT",
  "PAYPAL_WEBHOOK_VERIFICATION",
  "PAYPAL_API_BASE",
  "PAYPAL_CERT_ORIGINS",
] as const;

function requireText(
  env: Record<string, string | undefined>,
  name: string,
  what: string,
  problems: string[],
) {
  const value = readText(env, name);
  if (value === undefined) problems.push(`${name}: is required: ${what}`);
  return value ?? "";
}

export const paypalProvider: ProviderPlugin<PayPalEnvConfig> = {
  name: "paypal",
  variables: VARIABLES,
  readEnv(env, required) {
    if (!required && VARIABLES.every((name) => readText(env, name) === undefined)) return null;
    const problems: string[] = [];
    const clientId = requireText(env, "PAYPAL_CLIENT_ID", "the REST app's client id", problems);
    const clientSecret = requireText(env, "PAYPAL_CLIENT_SECRET", "the REST app's secret", problems);
    const webhookId = requireText(env, "PAYPAL_WEBHOOK_ID", "the id of the webhook pointing here", problems);
    if (webhookId !== "" && !/^[A-Za-z0-9]{1,50}$/.test(webhookId)) {
      problems.push("PAYPAL_WEBHOOK_ID: must be letters and digits only (as shown in the PayPal dashboard)");
    }
    const environment = readText(env, "PAYPAL_ENVIRONMENT");
    if (environment !== "sandbox" && environment !== "live") {
      problems.push('PAYPAL_ENVIRONMENT: must be "sandbox" or "live"');
    }
    const verification = readText(env, "PAYPAL_WEBHOOK_VERIFICATION") ?? "local";
    if (verification !== "local" && verification !== "api") {
      problems.push('PAYPAL_WEBHOOK_VERIFICATION: must be "local" (default) or "api"');
    }
    const apiBase = readText(env, "PAYPAL_API_BASE") ?? null;
    if (apiBase !== null) checkUrl("PAYPAL_API_BASE", apiBase, problems, true);
    const certOrigins = readList(env, "PAYPAL_CERT_ORIGINS");
    for (const origin of certOrigins) checkUrl("PAYPAL_CERT_ORIGINS", origin, problems, true);
    if (problems.length > 0) return { problems };
    return {
      config: {
        clientId,
        clientSecret,
        webhookId,
        environment: environment as "sandbox" | "live",
        verification: verification as "local" | "api",
        apiBase: apiBase === null ? null : new URL(apiBase).origin,
        certOrigins: certOrigins.map((o) => new URL(o).origin),
      },
    };
  },
  create(config, deps) {
    return createPayPalAdapter({ ...config, deploymentId: deps.deploymentId });
  },
};
