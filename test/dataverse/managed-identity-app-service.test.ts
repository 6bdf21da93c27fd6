// The managed identity credential over the App Service protocol (App Service, Functions, Container
// Apps): msal-node's ManagedIdentityApplication asks the loopback stand-in at IDENTITY_ENDPOINT with
// the X-IDENTITY-HEADER secret, and the Dataverse stand-in accepts the token it hands out.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDataverseClient,
  DataverseAuthError,
  readDataverseEnv,
} from "../../confirmation-endpoint/dataverse";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import { createTokenProvider } from "../../confirmation-endpoint/dataverse/token-provider";
import type { ManagedIdentityInput } from "../../confirmation-endpoint/dataverse/managed-identity";
import { setProcessEnv, startIdentityWorld } from "./managed-identity-setup";
import type { IdentityWorld } from "./managed-identity-setup";

let world: IdentityWorld;
let restoreEnv: () => void;
const clients: DataverseClient[] = [];

beforeAll(async () => {
  world = await startIdentityWorld({ tokenLifetimeSeconds: 600 });
  restoreEnv = setProcessEnv(world.identity.appServiceEnv());
});

afterAll(async () => {
  for (const c of clients) c.close();
  restoreEnv?.();
  await world?.close();
});

function clientFor(env: Record<string, string>): DataverseClient {
  const result = readDataverseEnv({ DATAVERSE_URL: world.dataverse.url, ...env }, () => "");
  expect(result.problems).toEqual([]);
  const client = createDataverseClient({ ...result.client!, maxAttempts: 1 });
  clients.push(client);
  return client;
}

async function whoAmI(client: DataverseClient): Promise<string> {
  const answer = await client.get<{ UserId: string }>("WhoAmI");
  return answer.data.UserId;
}

describe("managed identity, App Service protocol", () => {
  it("signs in as the system-assigned identity with no secret, tenant nor client id configured", async () => {
    const before = world.identity.requests.length;
    const client = clientFor({ DATAVERSE_MANAGED_IDENTITY: "system" });
    expect(await whoAmI(client)).toMatch(/^[0-9a-f-]{36}$/);
    const sent = world.identity.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      protocol: "app-service",
      apiVersion: "2019-08-01",
      resource: world.dataverse.url,
      idParameter: null,
      status: 200,
    });
    // A second call reuses the token: one identity request, not one per call.
    await whoAmI(client);
    expect(world.identity.requests.length - before).toBe(1);
    expect(client.metrics().tokenRequests).toBe(1);
  });

  it.each([
    ["DATAVERSE_MANAGED_IDENTITY_CLIENT_ID", "client_id", "clientId"],
    ["DATAVERSE_MANAGED_IDENTITY_RESOURCE_ID", "mi_res_id", "resourceId"],
    ["DATAVERSE_MANAGED_IDENTITY_OBJECT_ID", "object_id", "objectId"],
  ] as const)("signs in as a user-assigned identity named by %s", async (variable, parameter, field) => {
    const before = world.identity.requests.length;
    const value = world.userAssigned[field];
    const client = clientFor({ DATAVERSE_MANAGED_IDENTITY: "user", [variable]: value });
    await whoAmI(client);
    const sent = world.identity.requests.slice(before);
    expect(sent.map((r) => r.idParameter)).toEqual([{ name: parameter, value }]);
    expect(sent[0]?.status).toBe(200);
  });

  it("refreshes the token before it expires, not after", async () => {
    let now = 1_000_000;
    const before = world.identity.requests.length;
    const identity: ManagedIdentityInput = { kind: "user", clientId: world.userAssigned.clientId };
    const tokens = createTokenProvider({
      credential: { managedIdentity: identity },
      clientId: "",
      tenantId: "",
      authorityHost: "https://login.microsoftonline.com",
      scope: `${world.dataverse.url}/.default`,
      now: () => now,
      log: () => undefined,
      label: "user1",
      timeoutMs: 5_000,
    });
    const first = await tokens.getToken();
    // 600 s tokens are renewed 120 s before they run out (a quarter of the lifetime caps the skew).
    now += 470_000;
    expect(await tokens.getToken()).toBe(first);
    expect(tokens.tokenRequests).toBe(1);
    now += 20_000;
    const second = await tokens.getToken();
    expect(second).not.toBe(first);
    expect(tokens.tokenRequests).toBe(2);
    expect(world.identity.requests.length - before).toBe(2);
  });

  it("an identity Dataverse does not know fails with a message naming it, never a token", async () => {
    const client = clientFor({
      DATAVERSE_MANAGED_IDENTITY: "user",
      DATAVERSE_MANAGED_IDENTITY_CLIENT_ID: world.stranger.clientId,
    });
    const error = await whoAmI(client).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataverseAuthError);
    const message = (error as Error).message;
    expect(message).toContain(`user-assigned managed identity with client id ${world.stranger.clientId}`);
    expect(message).toContain("application user");
    expect(message).not.toContain(world.identity.appServiceEnv().IDENTITY_HEADER);
  });
});
