// Provider and other secrets read from Azure Key Vault at start, when KEY_VAULT_URL is set, with the
// host's managed identity (the one DATAVERSE_MANAGED_IDENTITY names, else the system-assigned one).
// Each environment variable has a secret of the same name with dashes for underscores
// (STRIPE_SECRET_KEY ← secret STRIPE-SECRET-KEY), since Key Vault names allow letters, digits and
// dashes only. A variable the environment already sets is kept (an App Service Key Vault reference
// resolves into the environment, and a person's explicit value wins). Values are never logged:
// only the names of the variables filled in. The Key Vault SDK is imported only when KEY_VAULT_URL
// is set: an endpoint configured by its environment alone does not carry it in memory.

import type { TokenCredential } from "@azure/core-auth";
import type { SecretClientOptions } from "@azure/keyvault-secrets";
import { readManagedIdentity } from "../dataverse/read-dataverse-env";
import { ConfigError } from "../errors";
import { createManagedIdentityCredential } from "./managed-identity-credential";

export type Env = Record<string, string | undefined>;

/** The variables that hold secrets; KEY_VAULT_SECRETS replaces the list. */
export const DEFAULT_VAULT_VARIABLES = [
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRETS",
  "ADYEN_API_KEY",
  "ADYEN_HMAC_KEYS",
  "ADYEN_WEBHOOK_PASSWORD",
  "PAYPAL_CLIENT_SECRET",
  "DATAVERSE_CLIENT_SECRET",
  "DATAVERSE_CERTIFICATE_PASSPHRASE",
  "RTM_LINK_SECRET",
  "PGPASSWORD",
  "STORE_URL",
] as const;

/** STRIPE_SECRET_KEY → STRIPE-SECRET-KEY. */
export function secretNameFor(variable: string): string {
  return variable.replace(/_/g, "-");
}

export interface KeyVaultLoadResult {
  env: Env;
  /** Variables filled in from the vault (names only). */
  loaded: string[];
  /** Variables the environment already set, left as they were. */
  kept: string[];
  /** Variables with no secret in the vault. */
  absent: string[];
}

export interface KeyVaultLoadOptions {
  /** Default: the managed identity the environment names (DATAVERSE_MANAGED_IDENTITY*), else system-assigned. */
  credential?: TokenCredential;
  /** Passed to the SecretClient (tests: an https agent that trusts a throwaway certificate). */
  clientOptions?: SecretClientOptions;
}

function variablesToRead(env: Env, problems: string[]): string[] {
  const raw = env.KEY_VAULT_SECRETS?.trim();
  if (!raw) return [...DEFAULT_VAULT_VARIABLES];
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  names.forEach((name, i) => {
    if (!/^[A-Z][A-Z0-9_]{0,126}$/.test(name))
      problems.push(`KEY_VAULT_SECRETS: item ${i + 1} is not an environment variable name (A-Z, 0-9, _)`);
  });
  return names;
}

function credentialFrom(env: Env, problems: string[]): TokenCredential | null {
  const identity = readManagedIdentity(env, "", problems);
  if (identity === null) return null;
  return createManagedIdentityCredential(identity ?? { kind: "system" });
}

function vaultUrl(raw: string, problems: string[]): string | null {
  try {
    const url = new URL(raw);
    if (url.protocol === "https:" && !url.username && !url.password) return url.origin;
  } catch {
    // reported below
  }
  problems.push("KEY_VAULT_URL: must be the vault's https URL, e.g. https://contoso-kit.vault.azure.net");
  return null;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === "number" ? status : undefined;
}

/** What a failed read means, naming the secret and the fix, never a value. */
function describeFailure(secret: string, error: unknown): string {
  const status = statusOf(error);
  if (status === 401 || status === 403)
    return `Key Vault refused to read secret ${secret} (HTTP ${status}): give this app's managed identity the "Key Vault Secrets User" role on the vault (or a "get" secret access policy)`;
  const code = (error as { code?: unknown }).code;
  const why = typeof code === "string" ? code : (error as Error).message;
  return `Key Vault secret ${secret} could not be read (${status !== undefined ? `HTTP ${status}` : why}): check KEY_VAULT_URL, the network path to the vault and the managed identity`;
}

/** Returns the environment with the vault's secrets filled in; the environment unchanged when KEY_VAULT_URL is unset. */
export async function loadKeyVaultSecrets(
  env: Env,
  options: KeyVaultLoadOptions = {},
): Promise<KeyVaultLoadResult> {
  const raw = env.KEY_VAULT_URL?.trim();
  if (!raw) return { env, loaded: [], kept: [], absent: [] };
  const problems: string[] = [];
  const url = vaultUrl(raw, problems);
  const variables = variablesToRead(env, problems);
  const credential = options.credential ?? credentialFrom(env, problems);
  if (problems.length > 0 || url === null || credential === null) throw new ConfigError(problems);
  const { SecretClient } = await import("@azure/keyvault-secrets");
  const client = new SecretClient(url, credential, options.clientOptions);
  const result: KeyVaultLoadResult = { env: { ...env }, loaded: [], kept: [], absent: [] };
  for (const variable of variables) {
    if (env[variable] !== undefined && env[variable]!.trim() !== "") {
      result.kept.push(variable);
      continue;
    }
    const name = secretNameFor(variable);
    try {
      const secret = await client.getSecret(name);
      if (secret.value === undefined || secret.properties.enabled === false) result.absent.push(variable);
      else {
        result.env[variable] = secret.value;
        result.loaded.push(variable);
      }
    } catch (error) {
      if (statusOf(error) === 404) result.absent.push(variable);
      else problems.push(describeFailure(name, error));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}
