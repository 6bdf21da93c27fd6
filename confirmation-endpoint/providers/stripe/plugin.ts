// Stripe's place in the provider registry: the variables it reads and how its adapter is built.

import { checkUrl, readList, readText } from "../../env-checks";
import type { ProviderPlugin } from "../registry";
import { createStripeAdapter } from "./adapter";

export interface StripeEnvConfig {
  secretKey: string;
  webhookSecrets: string[];
  apiBase: string | null;
}

const VARIABLES = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRETS", "STRIPE_API_BASE"] as const;

export const stripeProvider: ProviderPlugin<StripeEnvConfig> = {
  name: "stripe",
  variables: VARIABLES,
  readEnv(env, required) {
    if (!required && VARIABLES.every((name) => readText(env, name) === undefined)) return null;
    const problems: string[] = [];
    const secretKey = readText(env, "STRIPE_SECRET_KEY");
    if (secretKey === undefined) {
      problems.push("STRIPE_SECRET_KEY: is required: the Stripe secret key (sk_live_… or sk_test_…)");
    } else if (!/^(sk|rk)_(live|test)_/.test(secretKey)) {
      problems.push("STRIPE_SECRET_KEY: must start with sk_live_, sk_test_, rk_live_ or rk_test_");
    }
    const webhookSecrets = readList(env, "STRIPE_WEBHOOK_SECRETS");
    if (webhookSecrets.length === 0) {
      problems.push(
        "STRIPE_WEBHOOK_SECRETS: is required: the webhook signing secret(s), comma-separated, newest first (whsec_…)",
      );
    } else if (webhookSecrets.some((s) => !s.startsWith("whsec_"))) {
      problems.push(
        "STRIPE_WEBHOOK_SECRETS: every secret must start with whsec_ (comma-separated, newest first)",
      );
    }
    const apiBase = readText(env, "STRIPE_API_BASE") ?? null;
    if (apiBase !== null) checkUrl("STRIPE_API_BASE", apiBase, problems, true);
    if (problems.length > 0) return { problems };
    return { config: { secretKey: secretKey!, webhookSecrets, apiBase } };
  },
  create(config, deps) {
    return createStripeAdapter({ ...config, now: deps.now, deploymentId: deps.deploymentId });
  },
};
