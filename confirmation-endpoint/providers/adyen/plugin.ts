// Adyen's place in the provider registry: the variables it reads and how its adapter is built.

import { createJsonLogger } from "../../logger";
import { checkUrl, readList, readText } from "../../env-checks";
import type { ProviderPlugin } from "../registry";
import { createAdyenAdapter } from "./adapter";
import type { AdyenAdapterConfig } from "./config";
import { isHexKey } from "./hmac";

export type AdyenEnvConfig = Omit<AdyenAdapterConfig, "onRejectedItems" | "fetch">;

const VARIABLES = [
  "ADYEN_API_KEY",
  "ADYEN_MERCHANT_ACCOUNT",
  "ADYEN_HMAC_KEYS",
  "ADYEN_ENVIRONMENT",
  "ADYEN_LIVE_URL_PREFIX",
  "ADYEN_API_BASE",
  "ADYEN_WEBHOOK_USERNAME",
  "ADYEN_WEBHOOK_PASSWORD",
  "ADYEN_MANUAL_CAPTURE",
] as const;

const CREDENTIALS = ["ADYEN_API_KEY", "ADYEN_MERCHANT_ACCOUNT", "ADYEN_HMAC_KEYS"] as const;

type Env = Record<string, string | undefined>;

function readCredentials(env: Env, problems: string[]): AdyenEnvConfig["basicAuth"] {
  const username = readText(env, "ADYEN_WEBHOOK_USERNAME");
  const password = readText(env, "ADYEN_WEBHOOK_PASSWORD");
  if (username === undefined && password === undefined) return null;
  if (username === undefined || password === undefined) {
    problems.push(
      "ADYEN_WEBHOOK_USERNAME and ADYEN_WEBHOOK_PASSWORD: set both (Basic auth of the webhook) or neither",
    );
    return null;
  }
  return { username, password };
}

function readEnvironment(env: Env, problems: string[]): "test" | "live" {
  const value = (readText(env, "ADYEN_ENVIRONMENT") ?? "").toLowerCase();
  if (value === "test" || value === "live") return value;
  problems.push('ADYEN_ENVIRONMENT: is required: "test" or "live"');
  return "test";
}

function readManualCapture(env: Env, problems: string[]): boolean {
  const value = (readText(env, "ADYEN_MANUAL_CAPTURE") ?? "false").toLowerCase();
  if (value !== "true" && value !== "false") problems.push('ADYEN_MANUAL_CAPTURE: must be "true" or "false"');
  return value === "true";
}

export const adyenProvider: ProviderPlugin<AdyenEnvConfig> = {
  name: "adyen",
  variables: VARIABLES,
  readEnv(env, required) {
    // Only the credentials say Adyen is configured here; a copied .env.example's mode lines do not.
    if (!required && CREDENTIALS.every((name) => readText(env, name) === undefined)) return null;
    const problems: string[] = [];
    const apiKey = readText(env, "ADYEN_API_KEY");
    if (apiKey === undefined)
      problems.push("ADYEN_API_KEY: is required: the API key of the web service user");
    const merchantAccount = readText(env, "ADYEN_MERCHANT_ACCOUNT");
    if (merchantAccount === undefined)
      problems.push("ADYEN_MERCHANT_ACCOUNT: is required: the merchant account code");
    const hmacKeys = readList(env, "ADYEN_HMAC_KEYS");
    if (hmacKeys.length === 0) {
      problems.push(
        "ADYEN_HMAC_KEYS: is required: the webhook's hex HMAC key(s), comma-separated, newest first",
      );
    } else if (!hmacKeys.every(isHexKey)) {
      problems.push(
        "ADYEN_HMAC_KEYS: every key must be the hex string shown for the webhook in the Customer Area",
      );
    }
    const environment = readEnvironment(env, problems);
    const liveUrlPrefix = readText(env, "ADYEN_LIVE_URL_PREFIX") ?? null;
    const apiBase = readText(env, "ADYEN_API_BASE") ?? null;
    if (apiBase !== null) checkUrl("ADYEN_API_BASE", apiBase, problems, true);
    if (environment === "live" && apiBase === null && liveUrlPrefix === null) {
      problems.push(
        "ADYEN_LIVE_URL_PREFIX: is required when ADYEN_ENVIRONMENT is live (Customer Area → API URLs)",
      );
    }
    const basicAuth = readCredentials(env, problems);
    const manualCapture = readManualCapture(env, problems);
    if (problems.length > 0) return { problems };
    const config = { apiKey: apiKey!, merchantAccount: merchantAccount!, hmacKeys, environment };
    return { config: { ...config, liveUrlPrefix, apiBase, basicAuth, manualCapture } };
  },
  create(config, deps) {
    const logger = createJsonLogger({
      write: (line) => process.stderr.write(line),
      now: () => deps.now().getTime(),
    });
    return createAdyenAdapter({
      ...config,
      deploymentId: deps.deploymentId,
      onRejectedItems: (report) => logger.log("warn", "adyen_items_rejected", report),
    });
  },
};
