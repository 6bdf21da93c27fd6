// A loopback stand-in of the Azure managed identity endpoint, in both protocols msal-node speaks:
// the App Service one (App Service, Functions, Container Apps: GET IDENTITY_ENDPOINT with the
// X-IDENTITY-HEADER secret, api-version 2019-08-01) and the instance metadata service one (GET
// /metadata/identity/oauth2/token with `Metadata: true`, api-version 2018-02-01; msal sends it to
// AZURE_POD_IDENTITY_AUTHORITY_HOST when that is set, which is how a test points it at loopback).
// The token itself comes from whoever owns the resource: the Dataverse stand-in, the Key Vault
// stand-in (`resources`). It never logs a token nor the identity header.

import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { serveOnLoopback } from "../serve-on-loopback";

export interface StandInIdentity {
  clientId: string;
  objectId: string;
  /** /subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name> */
  resourceId: string;
}

export type ResourceIssuer = (
  clientId: string,
  resource: string,
) =>
  | { ok: true; accessToken: string; expiresInSeconds: number }
  | { ok: false; status: number; message: string };

export interface ManagedIdentityStandInOptions {
  /** The host's system-assigned identity; absent: none is enabled. */
  system?: StandInIdentity;
  userAssigned?: StandInIdentity[];
  /** Resource (audience) → who issues its tokens; matched without a trailing / or /.default. */
  resources: Record<string, ResourceIssuer>;
  /** Real clock for expires_on (msal reads it on the real clock). Default Date.now. */
  now?: () => number;
}

export interface IdentityRequestRecord {
  protocol: "app-service" | "imds";
  apiVersion: string | null;
  resource: string | null;
  /** Which user-assigned id parameter was sent, and its value (ids are not secrets). */
  idParameter: { name: string; value: string } | null;
  status: number;
}

export interface ManagedIdentityStandIn {
  url: string;
  /** What App Service sets: IDENTITY_ENDPOINT and IDENTITY_HEADER. */
  appServiceEnv(): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** What points msal's instance metadata protocol here: AZURE_POD_IDENTITY_AUTHORITY_HOST. */
  imdsEnv(): { AZURE_POD_IDENTITY_AUTHORITY_HOST: string };
  readonly requests: IdentityRequestRecord[];
  close(): Promise<void>;
}

const APP_SERVICE_PATH = "/msi/token";
const IMDS_PATH = "/metadata/identity/oauth2/token";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

type Protocol = IdentityRequestRecord["protocol"];

/** The identity a request names: a user-assigned id parameter, else the system-assigned one. */
function pickIdentity(
  options: ManagedIdentityStandInOptions,
  protocol: Protocol,
  query: URLSearchParams,
): { identity: StandInIdentity | null; idParameter: IdentityRequestRecord["idParameter"] } {
  const names =
    protocol === "imds" ? ["client_id", "msi_res_id", "object_id"] : ["client_id", "mi_res_id", "object_id"];
  const given = names.filter((n) => query.has(n));
  if (given.length === 0) return { identity: options.system ?? null, idParameter: null };
  const name = given[0]!;
  const value = query.get(name) ?? "";
  const field: keyof StandInIdentity =
    name === "client_id" ? "clientId" : name === "object_id" ? "objectId" : "resourceId";
  const all = [...(options.system ? [options.system] : []), ...(options.userAssigned ?? [])];
  const identity = all.find((i) => i[field].toLowerCase() === value.toLowerCase()) ?? null;
  return { identity, idParameter: { name, value } };
}

function errorBody(protocol: Protocol, status: number, message: string): Response {
  // App Service answers {statusCode, message, correlationId}; the metadata service an OAuth error.
  return protocol === "app-service"
    ? json(status, { statusCode: status, message, correlationId: randomUUID() })
    : json(status, {
        error: status === 400 ? "invalid_request" : "unknown_error",
        error_description: message,
      });
}

function issueFor(
  options: ManagedIdentityStandInOptions,
  protocol: Protocol,
  query: URLSearchParams,
  record: IdentityRequestRecord,
): Response {
  const expected = protocol === "app-service" ? "2019-08-01" : "2018-02-01";
  if (record.apiVersion !== expected)
    return errorBody(protocol, 400, `api-version must be ${expected} on this endpoint`);
  const resource = record.resource?.replace(/\/*\.default$/, "").replace(/\/+$/, "");
  if (!resource) return errorBody(protocol, 400, "The resource parameter is required.");
  const { identity } = pickIdentity(options, protocol, query);
  if (!identity)
    return errorBody(
      protocol,
      400,
      record.idParameter
        ? "No user-assigned identity with that id is assigned to this resource."
        : "No system-assigned identity is enabled on this resource.",
    );
  const issuerKey = Object.keys(options.resources).find(
    (r) => r.replace(/\/+$/, "").toLowerCase() === resource.toLowerCase(),
  );
  if (!issuerKey) return errorBody(protocol, 400, `No token can be issued for resource '${resource}'.`);
  const issued = options.resources[issuerKey]!(identity.clientId, resource);
  if (!issued.ok) return errorBody(protocol, issued.status, issued.message);
  const nowS = Math.floor((options.now ?? Date.now)() / 1000);
  const expiresOn = String(nowS + issued.expiresInSeconds);
  return json(200, {
    access_token: issued.accessToken,
    expires_on: expiresOn,
    resource,
    token_type: "Bearer",
    client_id: identity.clientId,
    ...(protocol === "imds"
      ? { refresh_token: "", expires_in: String(issued.expiresInSeconds), not_before: String(nowS) }
      : {}),
  });
}

export async function startManagedIdentityStandIn(
  options: ManagedIdentityStandInOptions,
): Promise<ManagedIdentityStandIn> {
  const identityHeader = randomBytes(24).toString("base64url");
  const requests: IdentityRequestRecord[] = [];
  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    // msal canonicalises AZURE_POD_IDENTITY_AUTHORITY_HOST + the path with a trailing slash.
    const path = url.pathname.replace(/\/+$/, "");
    const protocol: Protocol | null =
      path === APP_SERVICE_PATH ? "app-service" : path === IMDS_PATH ? "imds" : null;
    if (protocol === null || request.method !== "GET") return json(404, { message: "No such route." });
    const record: IdentityRequestRecord = {
      protocol,
      apiVersion: url.searchParams.get("api-version"),
      resource: url.searchParams.get("resource"),
      idParameter: pickIdentity(options, protocol, url.searchParams).idParameter,
      status: 0,
    };
    let response: Response;
    if (protocol === "app-service" && !sameSecret(request.headers.get("x-identity-header"), identityHeader))
      response = errorBody(protocol, 401, "The X-IDENTITY-HEADER header is missing or wrong.");
    else if (protocol === "imds" && request.headers.get("metadata") !== "true")
      response = errorBody(protocol, 400, "Required metadata header not specified");
    else response = issueFor(options, protocol, url.searchParams, record);
    record.status = response.status;
    requests.push(record);
    return response;
  };
  const server = await serveOnLoopback(handler, { onError: () => undefined });
  return {
    url: server.url,
    appServiceEnv: () => ({
      IDENTITY_ENDPOINT: `${server.url}${APP_SERVICE_PATH}`,
      IDENTITY_HEADER: identityHeader,
    }),
    imdsEnv: () => ({ AZURE_POD_IDENTITY_AUTHORITY_HOST: server.url }),
    requests,
    close: () => server.close(),
  };
}
