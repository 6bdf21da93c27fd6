// Small helpers the Dataverse stand-in tests share: a token by plain form POST, and a raw Web API call
// that returns status, headers and the parsed body without any client library in between.
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { createDataverseClient, type DataverseClient } from "../../confirmation-endpoint/dataverse";
import type { DataverseClientOptions } from "../../confirmation-endpoint/dataverse/dataverse-client";

export async function fetchToken(
  s: DataverseStandIn,
  overrides: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: s.clientId,
    client_secret: s.clientSecret,
    scope: s.scope,
    ...overrides,
  });
  const res = await fetch(`${s.authorityHost}/${s.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function accessToken(s: DataverseStandIn): Promise<string> {
  const { status, body } = await fetchToken(s);
  if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`);
  return String(body.access_token);
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | null;
  text: string;
}

export async function callApi(
  s: DataverseStandIn,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const res = await fetch(`${s.url}/api/data/v9.2/${path}`, {
    method,
    headers: {
      Accept: "application/json",
      "OData-MaxVersion": "4.0",
      "OData-Version": "4.0",
      ...(body === undefined ? {} : { "Content-Type": "application/json; charset=utf-8" }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> | null = null;
  if (text && (res.headers.get("content-type") ?? "").includes("json"))
    parsed = JSON.parse(text) as Record<string, unknown>;
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export function twoAttendees(passIds: [string, string]) {
  return [
    { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: passIds[0] },
    { firstName: "Alan", lastName: "Turing", email: "alan@example.com", passId: passIds[1] },
  ];
}

/** The kit's own Dataverse client, signed in to the stand-in as its first application user. */
export function connectKitClient(
  s: DataverseStandIn,
  extra: Partial<DataverseClientOptions> = {},
): DataverseClient {
  return createDataverseClient({
    url: s.url,
    tenantId: s.tenantId,
    clientId: s.clientId,
    credentials: [{ clientSecret: s.clientSecret }],
    authorityHost: s.authorityHost,
    ...extra,
  });
}
