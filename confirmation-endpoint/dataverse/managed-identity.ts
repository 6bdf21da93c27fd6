// Tokens from the Azure host's managed identity (App Service, Functions, Container Apps, a VM),
// through msal-node's ManagedIdentityApplication: msal picks the protocol from the environment
// the platform sets (IDENTITY_ENDPOINT + IDENTITY_HEADER on App Service, Functions and Container
// Apps; the instance metadata service otherwise), so no secret is configured anywhere. The same
// function serves Dataverse (token-provider.ts) and Key Vault (hosting/key-vault.ts).

import { ManagedIdentityApplication } from "@azure/msal-node";
import type { ManagedIdentityConfiguration } from "@azure/msal-node";
import { createMsalNetworkClient } from "./msal-network-client";

/** System-assigned, or one user-assigned identity named by exactly one of its three ids. */
export type ManagedIdentityInput =
  | { kind: "system" }
  | { kind: "user"; clientId: string }
  | { kind: "user"; resourceId: string }
  | { kind: "user"; objectId: string };

export interface ManagedIdentityToken {
  accessToken: string;
  /** Epoch ms on the real clock (msal's). */
  expiresOn: number;
}

export type ManagedIdentityTokenSource = (resource: string) => Promise<ManagedIdentityToken>;

/** How a person names the identity in messages and logs (never a token). */
export function describeManagedIdentity(identity: ManagedIdentityInput): string {
  if (identity.kind === "system") return "the system-assigned managed identity";
  if ("clientId" in identity) return `the user-assigned managed identity with client id ${identity.clientId}`;
  if ("resourceId" in identity) return `the user-assigned managed identity ${identity.resourceId}`;
  return `the user-assigned managed identity with object id ${identity.objectId}`;
}

function idParams(identity: ManagedIdentityInput): ManagedIdentityConfiguration["managedIdentityIdParams"] {
  if (identity.kind === "system") return undefined;
  if ("clientId" in identity) return { userAssignedClientId: identity.clientId };
  if ("resourceId" in identity) return { userAssignedResourceId: identity.resourceId };
  return { userAssignedObjectId: identity.objectId };
}

/**
 * A function that asks the managed identity endpoint for a token for `resource` (an audience
 * such as https://contoso.crm.dynamics.com or https://vault.azure.net; a trailing /.default is
 * dropped). Every call goes to the endpoint (forceRefresh): the callers keep their own copy and
 * decide when it is due, so msal's cache never hands back a token the caller meant to replace.
 */
export function createManagedIdentityTokenSource(options: {
  identity: ManagedIdentityInput;
  timeoutMs: number;
}): ManagedIdentityTokenSource {
  // msal keeps the identity source (and the network client) of the first application it builds
  // for the life of the process; every application here gets the same kind of client anyway.
  const networkClient = createMsalNetworkClient({ timeoutMs: options.timeoutMs });
  const params = idParams(options.identity);
  const app = new ManagedIdentityApplication({
    ...(params ? { managedIdentityIdParams: params } : {}),
    system: { networkClient },
  });
  return async (resource) => {
    const result = await app.acquireToken({ resource, forceRefresh: true });
    if (!result?.accessToken) throw new Error("msal returned no access token");
    return {
      accessToken: result.accessToken,
      expiresOn: result.expiresOn ? result.expiresOn.getTime() : Date.now(),
    };
  };
}
