// A user token for the Power Platform admin API through the device-code flow: the person opens
// the URL printed on stderr, types the code, and signs in. The admin API takes user tokens only.
import { PublicClientApplication } from "@azure/msal-node";

export const POWER_PLATFORM_SCOPE = "https://api.powerplatform.com/.default";

export function createDeviceCodeTokenSource(input: {
  tenantId: string;
  clientId: string;
  authorityHost?: string | undefined;
  prompt(message: string): void;
}): () => Promise<string> {
  const app = new PublicClientApplication({
    auth: {
      clientId: input.clientId,
      authority: `${(input.authorityHost ?? "https://login.microsoftonline.com").replace(/\/+$/, "")}/${input.tenantId}`,
    },
  });
  let pending: Promise<string> | null = null;
  return () => {
    pending ??= app
      .acquireTokenByDeviceCode({
        scopes: [POWER_PLATFORM_SCOPE],
        deviceCodeCallback: (response) => input.prompt(response.message),
      })
      .then((result) => {
        if (!result?.accessToken) throw new Error("the sign-in returned no token");
        return result.accessToken;
      });
    return pending;
  };
}
