// What `npm run doctor` asks Adyen: does the API key work, and may it act for the merchant account?
// One read-only call (POST /paymentMethods for the account) answers both: 401 is the key, 403 the
// key's access to the account; anything else that fails is reported as it came.

import type { ProviderError } from "../errors";
import { call, createCheckoutApi } from "./client";
import { resolveAdyenConfig, type AdyenAdapterConfig } from "./config";
import { adyenProvider } from "./plugin";

export interface AccountCheck {
  status: "pass" | "fail";
  detail: string;
  fix?: string;
}

export async function checkAdyenAccount(config: AdyenAdapterConfig): Promise<AccountCheck> {
  let resolved;
  try {
    resolved = resolveAdyenConfig(config);
  } catch (error) {
    return {
      status: "fail",
      detail: (error as Error).message,
      fix: "Fix the ADYEN_* variables (see .env.example).",
    };
  }
  try {
    const checkout = await createCheckoutApi(resolved, config.fetch);
    const answer = await call("list payment methods", () =>
      checkout.PaymentsApi.paymentMethods({ merchantAccount: resolved.merchantAccount }),
    );
    const count = answer.paymentMethods?.length ?? 0;
    return {
      status: "pass",
      detail: `${resolved.live ? "live" : "test"} key accepted for ${resolved.merchantAccount} (${count} payment method(s) enabled)`,
    };
  } catch (error) {
    const failure = error as ProviderError;
    const fix =
      failure.statusCode === 401
        ? "ADYEN_API_KEY is not accepted: copy the API key of the web service user again (test and live keys differ)."
        : failure.statusCode === 403
          ? "The key may not use ADYEN_MERCHANT_ACCOUNT: check the account code and the web service user's account access and roles."
          : "Check ADYEN_ENVIRONMENT, ADYEN_LIVE_URL_PREFIX and the network path to Adyen.";
    return { status: "fail", detail: failure.message, fix };
  }
}

/** Doctor's lines for Adyen from the environment: none when Adyen is not configured here. */
export async function checkAdyenFromEnv(
  env: Record<string, string | undefined>,
): Promise<Array<AccountCheck & { check: string }>> {
  const check = "Adyen account";
  const read = adyenProvider.readEnv(env, env["PAYMENT_PROVIDER"]?.trim().toLowerCase() === "adyen");
  if (read === null) return [];
  if ("problems" in read) {
    return [
      {
        check,
        status: "fail",
        detail: read.problems.join("; "),
        fix: "Fix the ADYEN_* variables (see .env.example).",
      },
    ];
  }
  return [{ check, ...(await checkAdyenAccount(read.config)) }];
}
