// Secrets read from Key Vault at start (KEY_VAULT_URL) with the host's managed identity: the real
// @azure/keyvault-secrets client against the loopback Key Vault stand-in (https with a throwaway
// certificate this test's agent alone trusts), its 401 challenge answered with a token from the
// managed identity stand-in.

import { randomUUID } from "node:crypto";
import { Agent } from "node:https";
import type { LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../confirmation-endpoint/errors";
import { loadKeyVaultSecrets, secretNameFor } from "../../confirmation-endpoint/hosting/key-vault-secrets";
import { startKeyVaultStandIn } from "../../sandbox/key-vault/start-key-vault-stand-in";
import type { KeyVaultStandIn } from "../../sandbox/key-vault/start-key-vault-stand-in";
import { startManagedIdentityStandIn } from "../../sandbox/managed-identity/start-managed-identity-stand-in";
import type { ManagedIdentityStandIn } from "../../sandbox/managed-identity/start-managed-identity-stand-in";
import { setProcessEnv } from "../dataverse/managed-identity-setup";

const reader = {
  clientId: randomUUID(),
  objectId: randomUUID(),
  resourceId:
    "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reader",
};
const outsider = {
  clientId: randomUUID(),
  objectId: randomUUID(),
  resourceId:
    "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/outsider",
};
const STRIPE_KEY = `sk_test_${randomUUID().replace(/-/g, "")}`;
const WEBHOOK = `whsec_${randomUUID().replace(/-/g, "")}`;

let vault: KeyVaultStandIn;
let identity: ManagedIdentityStandIn;
let restoreEnv: () => void;
let agent: Agent;

beforeAll(async () => {
  vault = await startKeyVaultStandIn({
    readers: [reader.clientId],
    secrets: { "STRIPE-SECRET-KEY": STRIPE_KEY, "STRIPE-WEBHOOK-SECRETS": WEBHOOK },
  });
  identity = await startManagedIdentityStandIn({
    system: reader,
    userAssigned: [outsider],
    resources: { [vault.resource]: (clientId, resource) => vault.issueToken(clientId, resource) },
  });
  restoreEnv = setProcessEnv(identity.appServiceEnv());
  // The vault's name resolves to loopback and its certificate is trusted in this agent only.
  const lookup: LookupFunction = (hostname, options, callback) => {
    if (!hostname.endsWith(".vault.test")) {
      callback(Object.assign(new Error(`not a test vault: ${hostname}`), { code: "ENOTFOUND" }), "", 4);
      return;
    }
    if (options.all)
      (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address: "127.0.0.1", family: 4 },
      ]);
    else callback(null, "127.0.0.1", 4);
  };
  agent = new Agent({ ca: vault.certificatePem, lookup });
});

afterAll(async () => {
  agent?.destroy();
  restoreEnv?.();
  await identity?.close();
  await vault?.close();
});

const clientOptions = () => ({ agent, retryOptions: { maxRetries: 0 } });

describe("Key Vault secrets at start", () => {
  it("maps secret names to variables: dashes for underscores", () => {
    expect(secretNameFor("STRIPE_SECRET_KEY")).toBe("STRIPE-SECRET-KEY");
    expect(secretNameFor("DATAVERSE_CLIENT_SECRET_2")).toBe("DATAVERSE-CLIENT-SECRET-2");
  });

  it("leaves the environment alone without KEY_VAULT_URL", async () => {
    const env = { STRIPE_SECRET_KEY: "x" };
    const result = await loadKeyVaultSecrets(env);
    expect(result.env).toBe(env);
    expect(result.loaded).toEqual([]);
  });

  it("fills in the secrets the vault holds, answering the 401 challenge with the managed identity", async () => {
    const before = vault.stats.challenges;
    const env = { KEY_VAULT_URL: vault.url, PAYPAL_CLIENT_SECRET: "set-by-a-reference" };
    const result = await loadKeyVaultSecrets(env, { clientOptions: clientOptions() });
    expect(result.env.STRIPE_SECRET_KEY).toBe(STRIPE_KEY);
    expect(result.env.STRIPE_WEBHOOK_SECRETS).toBe(WEBHOOK);
    expect(result.loaded.sort()).toEqual(["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRETS"]);
    // What the environment already had (an App Service Key Vault reference) is kept.
    expect(result.env.PAYPAL_CLIENT_SECRET).toBe("set-by-a-reference");
    expect(result.kept).toEqual(["PAYPAL_CLIENT_SECRET"]);
    expect(result.absent).toContain("ADYEN_API_KEY");
    expect(vault.stats.challenges).toBeGreaterThan(before);
    expect(identity.requests.at(-1)).toMatchObject({
      protocol: "app-service",
      resource: vault.resource,
      status: 200,
    });
    expect(env).not.toHaveProperty("STRIPE_SECRET_KEY");
  });

  it("reads only the variables KEY_VAULT_SECRETS lists", async () => {
    const before = vault.stats.reads.length;
    const result = await loadKeyVaultSecrets(
      { KEY_VAULT_URL: vault.url, KEY_VAULT_SECRETS: "STRIPE_WEBHOOK_SECRETS" },
      { clientOptions: clientOptions() },
    );
    expect(result.loaded).toEqual(["STRIPE_WEBHOOK_SECRETS"]);
    expect(vault.stats.reads.slice(before)).toEqual(["STRIPE-WEBHOOK-SECRETS"]);
  });

  it("an identity without access stops the start with the role to grant, and no value", async () => {
    const error = await loadKeyVaultSecrets(
      {
        KEY_VAULT_URL: vault.url,
        KEY_VAULT_SECRETS: "STRIPE_SECRET_KEY",
        DATAVERSE_MANAGED_IDENTITY: "user",
        DATAVERSE_MANAGED_IDENTITY_CLIENT_ID: outsider.clientId,
      },
      { clientOptions: clientOptions() },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("STRIPE-SECRET-KEY");
    expect(message).toContain("Key Vault Secrets User");
    expect(message).not.toContain(STRIPE_KEY);
  });

  it("refuses a vault URL that is not https", async () => {
    await expect(loadKeyVaultSecrets({ KEY_VAULT_URL: "http://kit.vault.test" })).rejects.toThrow(
      /KEY_VAULT_URL: must be the vault's https URL/,
    );
  });
});
