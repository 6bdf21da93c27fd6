// An Azure SDK TokenCredential (@azure/core-auth) on msal-node's managed identity support, so the
// Key Vault client signs in with the same identity, and the same library, as the Dataverse client
// (no @azure/identity: one token library in the endpoint, see docs/azure.md).

import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { createManagedIdentityTokenSource } from "../dataverse/managed-identity";
import type { ManagedIdentityInput } from "../dataverse/managed-identity";

export function createManagedIdentityCredential(
  identity: ManagedIdentityInput,
  options: { timeoutMs?: number } = {},
): TokenCredential {
  const source = createManagedIdentityTokenSource({ identity, timeoutMs: options.timeoutMs ?? 10_000 });
  return {
    async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
      const list = typeof scopes === "string" ? [scopes] : scopes;
      const [scope, ...more] = list;
      // A managed identity token is for one resource: an SDK asking for several is a bug to see.
      if (scope === undefined || more.length > 0)
        throw new Error(`a managed identity token is for exactly one resource; asked for ${list.length}`);
      const token = await source(scope);
      return { token: token.accessToken, expiresOnTimestamp: token.expiresOn, tokenType: "Bearer" };
    },
  };
}
