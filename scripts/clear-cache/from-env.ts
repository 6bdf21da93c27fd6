// Builds the cache-clearing dependencies from the environment: fetch for HTTP, an app token for
// the Dataverse organisation (the same credentials as the endpoint), and a device-code sign-in for
// the admin API's restart call, started only when that step is reached.
import { createTokenProvider } from "../../confirmation-endpoint/dataverse/token-provider";
import { dataverseSettingsFromEnv } from "../lib/dataverse-env";
import type { ClearCacheDeps, ClearCacheResult } from "./clear-cache";
import { createDeviceCodeTokenSource } from "./device-code";

export function cacheDepsFromEnv(
  env: NodeJS.ProcessEnv,
  io: { prompt(line: string): void; log(line: string): void },
): ClearCacheDeps {
  let dataverseTokens: ReturnType<typeof createTokenProvider> | null = null;
  let adminToken: (() => Promise<string>) | null = null;
  return {
    http: async ({ method, url, headers, body }) => {
      const response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: response.status, body: await response.text() };
    },
    dataverseToken: async () => {
      if (!dataverseTokens) {
        const settings = dataverseSettingsFromEnv(env);
        const credential = settings.credentials[0];
        if (!credential) throw new Error("no Dataverse credential is configured");
        dataverseTokens = createTokenProvider({
          credential,
          clientId: settings.clientId,
          tenantId: settings.tenantId,
          authorityHost: settings.authorityHost ?? "https://login.microsoftonline.com",
          scope: `${settings.url}/.default`,
          now: Date.now,
          log: () => undefined,
          label: "cache",
          timeoutMs: 30_000,
        });
      }
      return dataverseTokens.getToken();
    },
    adminToken: () => {
      if (!adminToken) {
        const tenantId = env.DATAVERSE_TENANT_ID?.trim();
        const clientId = (env.POWER_PLATFORM_ADMIN_CLIENT_ID ?? env.DATAVERSE_CLIENT_ID)?.trim();
        if (!tenantId || !clientId)
          return Promise.reject(
            new Error(
              "DATAVERSE_TENANT_ID and POWER_PLATFORM_ADMIN_CLIENT_ID (or DATAVERSE_CLIENT_ID) are needed to sign in",
            ),
          );
        io.log("The website restart needs a portal administrator to sign in (device code):");
        adminToken = createDeviceCodeTokenSource({
          tenantId,
          clientId,
          authorityHost: env.DATAVERSE_AUTHORITY_HOST?.trim() || undefined,
          prompt: io.prompt,
        });
      }
      return adminToken();
    },
    log: io.log,
  };
}

export function describeCacheResult(result: ClearCacheResult): string[] {
  const lines = result.attempts.map((a, i) => `  ${i + 1}. ${a.method}: ${a.outcome}`);
  if (result.method === "manual") lines.push(...result.manualSteps.map((s) => `  → ${s}`));
  else
    lines.push(
      `  The cache was cleared by the ${result.method === "restart" ? "website restart" : "portal's config-cache endpoint"}.`,
    );
  return lines;
}
