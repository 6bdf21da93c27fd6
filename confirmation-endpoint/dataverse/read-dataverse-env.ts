// Reads the Dataverse client's settings from an environment map (entry files pass process.env),
// listing every problem at once. Several application users: DATAVERSE_CLIENT_ID_2 with
// DATAVERSE_CLIENT_SECRET_2 (or DATAVERSE_CERTIFICATE_PATH_2, DATAVERSE_MANAGED_IDENTITY_2 …), _3, and
// so on. A managed identity needs neither DATAVERSE_TENANT_ID nor DATAVERSE_CLIENT_ID. A problem names
// the variable and what is wrong, never the value: a value can be a secret in the wrong variable.

import { checkUrl } from "../env-checks";
import { parsePurchaseNotFoundRules } from "./classify-not-found";
import { isGuid } from "../../common/guid";
import type { DataverseCredential } from "./credentials";
import type { ManagedIdentityInput } from "./managed-identity";
import type { DataverseClientOptions } from "./dataverse-client";
import type { EventManagementApiOptions } from "./event-management-api";

export type Env = Record<string, string | undefined>;

export interface DataverseEnvResult {
  /** Null when there are problems. */
  client: Omit<DataverseClientOptions, "log" | "now" | "sleep" | "random"> | null;
  api: Pick<EventManagementApiOptions, "successStatuses" | "actions" | "purchaseNotFound">;
  problems: string[];
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function list(env: Env, name: string): string[] | undefined {
  const value = text(env, name);
  return value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(env: Env, name: string, problems: string[]): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    problems.push(`${name}: must be a positive whole number`);
    return undefined;
  }
  return n;
}

/** The sets of variables that make one valid credential, for messages. */
function credentialSets(suffix: string): string {
  const mi = `DATAVERSE_MANAGED_IDENTITY${suffix}`;
  return (
    `set exactly one of DATAVERSE_CLIENT_SECRET${suffix}, ` +
    `or DATAVERSE_CERTIFICATE_PATH${suffix} (+ DATAVERSE_CERTIFICATE_THUMBPRINT${suffix} unless the PEM holds the certificate), ` +
    `or ${mi}=system (the host's system-assigned managed identity), ` +
    `or ${mi}=user with one of DATAVERSE_MANAGED_IDENTITY_CLIENT_ID${suffix}, DATAVERSE_MANAGED_IDENTITY_RESOURCE_ID${suffix} or DATAVERSE_MANAGED_IDENTITY_OBJECT_ID${suffix}`
  );
}

const USER_ASSIGNED_IDS = [
  ["CLIENT_ID", "clientId"],
  ["RESOURCE_ID", "resourceId"],
  ["OBJECT_ID", "objectId"],
] as const;

/**
 * DATAVERSE_MANAGED_IDENTITY (system | user) and, for a user-assigned identity, exactly one of its
 * ids. undefined: no managed identity variable is set; null: a problem was reported.
 */
export function readManagedIdentity(
  env: Env,
  suffix: string,
  problems: string[],
): ManagedIdentityInput | null | undefined {
  const name = `DATAVERSE_MANAGED_IDENTITY${suffix}`;
  const mode = text(env, name)?.toLowerCase();
  const ids = USER_ASSIGNED_IDS.map(([variable, key]) => ({
    variable: `DATAVERSE_MANAGED_IDENTITY_${variable}${suffix}`,
    key,
    value: text(env, `DATAVERSE_MANAGED_IDENTITY_${variable}${suffix}`),
  })).filter((id) => id.value !== undefined);
  if (mode === undefined) {
    if (ids.length === 0) return undefined;
    problems.push(`${ids[0]!.variable}: is set but ${name} is not; set ${name}=user to use that identity`);
    return null;
  }
  if (mode === "system") {
    if (ids.length === 0) return { kind: "system" };
    problems.push(
      `${name}: is "system" but ${ids.map((i) => i.variable).join(", ")} names a user-assigned identity; use ${name}=user, or remove the id`,
    );
    return null;
  }
  if (mode !== "user") {
    problems.push(`${name}: must be "system" or "user"`);
    return null;
  }
  const [only, ...more] = ids;
  if (only === undefined || more.length > 0) {
    problems.push(
      `${name}=user needs exactly one of DATAVERSE_MANAGED_IDENTITY_CLIENT_ID${suffix}, DATAVERSE_MANAGED_IDENTITY_RESOURCE_ID${suffix} or DATAVERSE_MANAGED_IDENTITY_OBJECT_ID${suffix}; ${ids.length} set`,
    );
    return null;
  }
  const value = only.value!;
  if (only.key !== "resourceId" && !isGuid(value)) {
    problems.push(
      `${only.variable}: must be a GUID (the identity's ${only.key === "clientId" ? "client" : "object"} id)`,
    );
    return null;
  }
  if (
    only.key === "resourceId" &&
    !/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i.test(
      value,
    )
  ) {
    problems.push(
      `${only.variable}: must be the identity's resource id, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>`,
    );
    return null;
  }
  if (only.key === "clientId") return { kind: "user", clientId: value };
  if (only.key === "resourceId") return { kind: "user", resourceId: value };
  return { kind: "user", objectId: value };
}

function bothOrAll(kinds: string[]): string {
  if (kinds.length === 2) return `both ${kinds[0]} and ${kinds[1]} are set`;
  return `${kinds.slice(0, -1).join(", ")} and ${kinds[kinds.length - 1]} are all set`;
}

function readCredential(
  env: Env,
  suffix: string,
  readFile: (path: string) => string,
  problems: string[],
): DataverseCredential | null {
  const secret = text(env, `DATAVERSE_CLIENT_SECRET${suffix}`);
  const path = text(env, `DATAVERSE_CERTIFICATE_PATH${suffix}`);
  const thumbprint = text(env, `DATAVERSE_CERTIFICATE_THUMBPRINT${suffix}`);
  const passphrase = text(env, `DATAVERSE_CERTIFICATE_PASSPHRASE${suffix}`);
  const before = problems.length;
  const identity = readManagedIdentity(env, suffix, problems);
  const user = `application user${suffix || " 1"}`;
  const kinds = [
    secret !== undefined ? "a client secret" : null,
    path !== undefined ? "a certificate" : null,
    identity !== undefined ? "a managed identity" : null,
  ].filter((k): k is string => k !== null);
  if (kinds.length > 1) {
    problems.push(`${user}: ${bothOrAll(kinds)}; ${credentialSets(suffix)}`);
    return null;
  }
  if (problems.length > before) return null;
  if (secret !== undefined) return { clientSecret: secret };
  if (identity) return { managedIdentity: identity };
  if (path !== undefined) {
    const pem = readPem(`DATAVERSE_CERTIFICATE_PATH${suffix}`, path, readFile, problems);
    return pem === null ? null : { certificate: { privateKeyPem: pem, thumbprint, passphrase } };
  }
  problems.push(`${user}: no credential; ${credentialSets(suffix)}`);
  return null;
}

/**
 * The PEM file a certificate variable names. The problem never repeats the path nor the reader's
 * message (which quotes it): a PEM pasted in place of its path would be printed otherwise.
 */
function readPem(
  name: string,
  path: string,
  readFile: (path: string) => string,
  problems: string[],
): string | null {
  if (path.includes("-----BEGIN") || path.includes("\n")) {
    problems.push(
      `${name}: holds certificate text, not a file path; save the PEM to a file and give its path`,
    );
    return null;
  }
  try {
    return readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = typeof code === "string" && /^E[A-Z]+$/.test(code) ? ` (${code})` : "";
    problems.push(`${name}: cannot read the file it names${why}; check the path and its permissions`);
    return null;
  }
}

export function readDataverseEnv(env: Env, readFile: (path: string) => string): DataverseEnvResult {
  const problems: string[] = [];
  const url = text(env, "DATAVERSE_URL")?.replace(/\/+$/, "");
  const tenantId = text(env, "DATAVERSE_TENANT_ID");
  const clientId = text(env, "DATAVERSE_CLIENT_ID");
  const authorityHost = text(env, "DATAVERSE_AUTHORITY_HOST")?.replace(/\/+$/, "");
  if (!url) problems.push("DATAVERSE_URL: required, e.g. https://contoso.crm.dynamics.com");
  else checkUrl("DATAVERSE_URL", url, problems, true);
  if (authorityHost) checkUrl("DATAVERSE_AUTHORITY_HOST", authorityHost, problems, true);
  const credentials: DataverseCredential[] = [];
  const first = readCredential(env, "", readFile, problems);
  if (first) credentials.push({ ...first, label: "user1" });
  // A managed identity signs in without them; a secret or a certificate needs both.
  const firstIsIdentity = first?.managedIdentity !== undefined;
  if (!tenantId) {
    if (!firstIsIdentity)
      problems.push("DATAVERSE_TENANT_ID: required, the Entra ID tenant of the application user");
  } else if (!isGuid(tenantId) && !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(tenantId))
    problems.push("DATAVERSE_TENANT_ID: must be a tenant GUID or a verified domain name");
  if (!clientId) {
    if (!firstIsIdentity) problems.push("DATAVERSE_CLIENT_ID: required, the application (client) id");
  } else if (!isGuid(clientId))
    problems.push("DATAVERSE_CLIENT_ID: must be the application (client) id, a GUID");
  const extra = Object.keys(env)
    .map((key) => /^DATAVERSE_CLIENT_ID_(\d+)$/.exec(key)?.[1])
    .filter((n): n is string => n !== undefined && text(env, `DATAVERSE_CLIENT_ID_${n}`) !== undefined)
    .sort((a, b) => Number(a) - Number(b));
  for (const n of extra) {
    const credential = readCredential(env, `_${n}`, readFile, problems);
    if (credential)
      credentials.push({
        ...credential,
        clientId: text(env, `DATAVERSE_CLIENT_ID_${n}`)!,
        label: `user${n}`,
      });
  }
  const maxConcurrency = positiveInt(env, "DATAVERSE_MAX_CONCURRENCY", problems);
  const timeoutMs = positiveInt(env, "DATAVERSE_TIMEOUT_MS", problems);
  const apiVersion = text(env, "DATAVERSE_API_VERSION");
  if (apiVersion !== undefined && !/^v\d+\.\d+$/.test(apiVersion)) {
    problems.push("DATAVERSE_API_VERSION: must look like v9.2");
  }
  const detailActions = list(env, "DATAVERSE_PURCHASE_DETAILS_ACTIONS");
  const finalizeActions = list(env, "DATAVERSE_FINALIZE_ACTIONS");
  const actions: NonNullable<EventManagementApiOptions["actions"]> = {};
  if (detailActions?.[0]) actions.listDetailedPurchaseInfo = detailActions[0];
  if (detailActions?.[1]) actions.getPurchaseDetails = detailActions[1];
  if (finalizeActions && finalizeActions.length > 0) actions.finalize = finalizeActions;
  const successStatuses = list(env, "DATAVERSE_FINALIZE_SUCCESS_STATUSES");
  const api: DataverseEnvResult["api"] = { actions };
  if (successStatuses && successStatuses.length > 0) api.successStatuses = successStatuses;
  if (firstIsIdentity && !tenantId && credentials.some((c) => c.managedIdentity === undefined))
    problems.push(
      "DATAVERSE_TENANT_ID: required by the application users that sign in with a secret or a certificate",
    );
  const notFound = text(env, "DATAVERSE_PURCHASE_NOT_FOUND");
  if (notFound !== undefined) {
    const parsed = parsePurchaseNotFoundRules(notFound);
    for (const problem of parsed.problems) problems.push(`DATAVERSE_PURCHASE_NOT_FOUND: ${problem}`);
    if (parsed.problems.length === 0) api.purchaseNotFound = parsed.rules;
  }
  if (problems.length > 0 || !url) return { client: null, api, problems };
  return {
    client: {
      url,
      tenantId: tenantId ?? "",
      clientId: clientId ?? "",
      credentials,
      authorityHost,
      apiVersion,
      maxConcurrency,
      timeoutMs,
    },
    api,
    problems,
  };
}
