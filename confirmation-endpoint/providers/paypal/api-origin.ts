// PayPal's API hosts, apart from the SDK so that reading them does not load it.

export type PayPalEnvironment = "sandbox" | "live";

export const PAYPAL_API_ORIGINS: Readonly<Record<PayPalEnvironment, string>> = Object.freeze({
  live: "https://api-m.paypal.com",
  sandbox: "https://api-m.sandbox.paypal.com",
});

/** Where requests go: the configured base (the sandbox's stand-in) or the environment's host. */
export function apiOrigin(environment: PayPalEnvironment, apiBase: string | null): string {
  return apiBase ?? PAYPAL_API_ORIGINS[environment];
}
