// Clears a portal's server-side cache, trying in order what the spec lists:
// 1. the portal's config-cache endpoint (DELETE {websiteUrl}/_services/cache/config) with a Dataverse token;
// 2. the Power Platform admin API restart of the website (needs a signed-in user: device code);
// 3. the manual step, printed with its URL and the 15-minute note.
// It reports which one worked. HTTP and tokens are passed in.

export interface HttpResponse {
  status: number;
  body: string;
}

export type HttpCall = (request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}) => Promise<HttpResponse>;

export interface ClearCacheInput {
  websiteId: string;
  /** https://<portal host>; when unknown it is resolved through the admin API. */
  portalUrl?: string | undefined;
  environmentId?: string | null | undefined;
  /** Default https://api.powerplatform.com. */
  adminApiBase?: string;
  /** False: never ask a person to sign in (skip the restart). */
  allowSignIn: boolean;
}

export interface ClearCacheDeps {
  http: HttpCall;
  /** An app token for the Dataverse organisation (`<org>/.default`). */
  dataverseToken(): Promise<string>;
  /** A user token for https://api.powerplatform.com/.default (device code). */
  adminToken(): Promise<string>;
  log(line: string): void;
}

export type ClearCacheMethod = "config-endpoint" | "restart" | "manual";

export interface ClearCacheResult {
  method: ClearCacheMethod;
  portalUrl: string | null;
  /** What each tried method answered, in order. */
  attempts: Array<{ method: ClearCacheMethod; outcome: string }>;
  manualSteps: string[];
}

const API_VERSION = "2022-03-01-preview";

interface WebsiteDto {
  id: string;
  websiteRecordId?: string;
  websiteUrl?: string;
  name?: string;
}

async function resolveWebsite(
  input: ClearCacheInput,
  deps: ClearCacheDeps,
  token: string,
): Promise<WebsiteDto | null> {
  if (!input.environmentId) return null;
  const base = input.adminApiBase ?? "https://api.powerplatform.com";
  let skip = 0;
  for (let page = 0; page < 20; page++) {
    const url = `${base}/powerpages/environments/${input.environmentId}/websites?api-version=${API_VERSION}${skip ? `&skip=${skip}` : ""}`;
    const response = await deps.http({
      method: "GET",
      url,
      headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
    });
    if (response.status !== 200)
      throw new Error(`listing websites answered ${response.status}: ${response.body.slice(0, 300)}`);
    const list = (JSON.parse(response.body) as { value?: WebsiteDto[] }).value ?? [];
    const match = list.find((w) => w.websiteRecordId?.toLowerCase() === input.websiteId.toLowerCase());
    if (match) return match;
    if (list.length === 0) return null;
    skip += list.length;
  }
  return null;
}

export async function clearPortalCache(
  input: ClearCacheInput,
  deps: ClearCacheDeps,
): Promise<ClearCacheResult> {
  const attempts: ClearCacheResult["attempts"] = [];
  let portalUrl = input.portalUrl ? input.portalUrl.replace(/\/+$/, "") : null;

  if (portalUrl) {
    try {
      const token = await deps.dataverseToken();
      const response = await deps.http({
        method: "DELETE",
        url: `${portalUrl}/_services/cache/config`,
        headers: { Authorization: `Bearer ${token}`, Accept: "*/*", "Content-Type": "text/plain" },
      });
      if (response.status >= 200 && response.status < 300) {
        attempts.push({ method: "config-endpoint", outcome: `cleared (${response.status})` });
        return { method: "config-endpoint", portalUrl, attempts, manualSteps: [] };
      }
      attempts.push({ method: "config-endpoint", outcome: `answered ${response.status}` });
    } catch (error) {
      attempts.push({ method: "config-endpoint", outcome: `failed: ${(error as Error).message}` });
    }
  } else {
    attempts.push({
      method: "config-endpoint",
      outcome: "skipped: the portal URL is not known (pass --portal-url)",
    });
  }

  if (input.allowSignIn && input.environmentId) {
    try {
      const token = await deps.adminToken();
      const site = await resolveWebsite(input, deps, token);
      if (!site) {
        attempts.push({
          method: "restart",
          outcome: `no website with record id ${input.websiteId} in environment ${input.environmentId}`,
        });
      } else {
        portalUrl ??= site.websiteUrl?.replace(/\/+$/, "") ?? null;
        const base = input.adminApiBase ?? "https://api.powerplatform.com";
        const response = await deps.http({
          method: "POST",
          url: `${base}/powerpages/environments/${input.environmentId}/websites/${site.id}/restart?api-version=${API_VERSION}`,
          headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        });
        if (response.status >= 200 && response.status < 300) {
          attempts.push({ method: "restart", outcome: `restarted (${response.status})` });
          return { method: "restart", portalUrl, attempts, manualSteps: [] };
        }
        attempts.push({
          method: "restart",
          outcome: `answered ${response.status}: ${response.body.slice(0, 200)}`,
        });
      }
    } catch (error) {
      attempts.push({ method: "restart", outcome: `failed: ${(error as Error).message}` });
    }
  } else {
    attempts.push({
      method: "restart",
      outcome: input.environmentId
        ? "skipped: sign-in not allowed (--no-sign-in)"
        : "skipped: the environment id is not known (pass --environment-id)",
    });
  }

  const about = portalUrl ? `${portalUrl}/_services/about` : "https://<your portal>/_services/about";
  const manualSteps = [
    `Open ${about} signed in as a portal administrator (a web role with all website access) and press "Clear config" (or "Clear cache").`,
    "Otherwise the portal picks the change up by itself within 15 minutes.",
  ];
  attempts.push({ method: "manual", outcome: "printed" });
  return { method: "manual", portalUrl, attempts, manualSteps };
}
