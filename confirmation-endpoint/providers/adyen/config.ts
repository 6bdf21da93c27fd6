// The Adyen adapter's options and their checks: every problem is reported at once, and no message
// repeats a value (a key pasted into the wrong field must not end up in a log).

import { ProviderConfigError } from "../errors";
import { normalizeCurrency, type CurrencyExponents } from "../money";
import type { BasicAuthCredentials } from "./basic-auth";
import { DEFAULT_PAYMENT_METHODS } from "./checkout";
import { isHexKey } from "./hmac";
import type { RejectedItem } from "./notifications";

export interface AdyenAdapterConfig {
  /** The API key of the web service user (ADYEN_API_KEY). */
  apiKey: string;
  /** The merchant account payments are taken on (ADYEN_MERCHANT_ACCOUNT). */
  merchantAccount: string;
  /** Hex HMAC keys of the webhook, newest first; any may match, which is how rotation works. */
  hmacKeys: string[];
  /** "test" or "live" (ADYEN_ENVIRONMENT); batches of the other mode are refused. */
  environment: "test" | "live";
  /** The live URL prefix from the Customer Area (ADYEN_LIVE_URL_PREFIX); required in live. */
  liveUrlPrefix?: string | null | undefined;
  /** Where Adyen's API is served instead of Adyen's hosts (the sandbox); unset in production. */
  apiBase?: string | null | undefined;
  /** Basic auth expected on the webhook URL, when set in the Customer Area. */
  basicAuth?: BasicAuthCredentials | null | undefined;
  /** Authorise only; capture once the purchase is known to take the payment (default false). */
  manualCapture?: boolean | undefined;
  /** This deployment's id, written on every link; a link carrying another one is not ours. */
  deploymentId?: string | null | undefined;
  /** Allowed payment methods on the hosted page (default instant ones: scheme, applepay, googlepay). */
  paymentMethods?: string[] | undefined;
  /** ISO codes a checkout may use; empty or unset means any. */
  currencies?: string[] | undefined;
  /** Per-currency decimals on top of Adyen's table (currency.ts). */
  exponents?: CurrencyExponents | undefined;
  /** Per-request timeout in ms (default 20000). */
  timeoutMs?: number | undefined;
  /** Told about items of a batch that failed verification (the good ones are still stored). */
  onRejectedItems?: ((report: { rejected: RejectedItem[]; accepted: number }) => void) | undefined;
  /** The transport's fetch, for the sandbox route (default global fetch). */
  fetch?: typeof fetch | undefined;
}

export interface ResolvedAdyenConfig {
  apiKey: string;
  merchantAccount: string;
  hmacKeys: string[];
  live: boolean;
  liveUrlPrefix: string | null;
  apiBase: string | null;
  basicAuth: BasicAuthCredentials | null;
  manualCapture: boolean;
  deploymentId: string | null;
  paymentMethods: string[];
  allowedCurrencies: string[];
  exponents: CurrencyExponents;
  timeoutMs: number;
}

function checkApiBase(apiBase: string, problems: string[]): void {
  try {
    const url = new URL(apiBase);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      problems.push("apiBase must use http or https");
    if (url.username || url.password || url.search)
      problems.push("apiBase must carry no credentials or query");
  } catch {
    problems.push("apiBase (ADYEN_API_BASE) is not a URL; use e.g. http://127.0.0.1:8081");
  }
}

/** Check every option and report all problems at once. */
export function resolveAdyenConfig(config: AdyenAdapterConfig): ResolvedAdyenConfig {
  const problems: string[] = [];
  if (typeof config.apiKey !== "string" || config.apiKey.trim() === "" || /\s/.test(config.apiKey)) {
    problems.push("apiKey (ADYEN_API_KEY) is missing or contains spaces");
  }
  if (typeof config.merchantAccount !== "string" || !/^[A-Za-z0-9_.-]{1,80}$/.test(config.merchantAccount)) {
    problems.push("merchantAccount (ADYEN_MERCHANT_ACCOUNT) is missing or not a merchant account code");
  }
  const hmacKeys = (config.hmacKeys ?? []).map((k) => k.trim()).filter(Boolean);
  if (hmacKeys.length === 0)
    problems.push("hmacKeys (ADYEN_HMAC_KEYS) has no key; set the webhook's HMAC key");
  if (hmacKeys.some((k) => !isHexKey(k))) {
    problems.push("hmacKeys (ADYEN_HMAC_KEYS): every key must be the hex string shown in the Customer Area");
  }
  if (config.environment !== "test" && config.environment !== "live") {
    problems.push('environment (ADYEN_ENVIRONMENT) must be "test" or "live"');
  }
  const liveUrlPrefix = config.liveUrlPrefix?.trim() || null;
  if (config.environment === "live" && !config.apiBase && !liveUrlPrefix) {
    problems.push(
      "liveUrlPrefix (ADYEN_LIVE_URL_PREFIX) is required in live: copy it from the Customer Area",
    );
  }
  if (liveUrlPrefix !== null && !/^[a-z0-9-]+$/i.test(liveUrlPrefix)) {
    problems.push("liveUrlPrefix (ADYEN_LIVE_URL_PREFIX) must be letters, digits and dashes only");
  }
  if (config.apiBase) checkApiBase(config.apiBase, problems);
  const paymentMethods = config.paymentMethods ?? [...DEFAULT_PAYMENT_METHODS];
  if (paymentMethods.length === 0 || paymentMethods.some((m) => !/^[a-z][a-z0-9_]*$/i.test(m))) {
    problems.push("paymentMethods must list at least one Adyen payment method type such as scheme");
  }
  const allowedCurrencies: string[] = [];
  for (const code of config.currencies ?? []) {
    try {
      allowedCurrencies.push(normalizeCurrency(code));
    } catch (error) {
      problems.push(`currencies: ${(error as Error).message}`);
    }
  }
  const timeoutMs = config.timeoutMs ?? 20_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    problems.push("timeoutMs must be a positive whole number");
  if (problems.length > 0) throw new ProviderConfigError("Adyen", problems);
  return {
    apiKey: config.apiKey,
    merchantAccount: config.merchantAccount,
    hmacKeys,
    live: config.environment === "live",
    liveUrlPrefix,
    apiBase: config.apiBase || null,
    basicAuth: config.basicAuth ?? null,
    manualCapture: config.manualCapture ?? false,
    deploymentId: config.deploymentId ?? null,
    paymentMethods: [...paymentMethods],
    allowedCurrencies,
    exponents: config.exponents ?? {},
    timeoutMs,
  };
}
