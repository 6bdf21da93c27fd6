// The managed identity credential over the instance metadata protocol (VMs, scale sets, AKS):
// msal-node sends it to 169.254.169.254 unless AZURE_POD_IDENTITY_AUTHORITY_HOST names another
// host, which is how this test points it at the loopback stand-in (and only this test process).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataverseClient, readDataverseEnv } from "../../confirmation-endpoint/dataverse";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import { setProcessEnv, startIdentityWorld } from "./managed-identity-setup";
import type { IdentityWorld } from "./managed-identity-setup";

let world: IdentityWorld;
let restoreEnv: () => void;
const clients: DataverseClient[] = [];

beforeAll(async () => {
  world = await startIdentityWorld();
  // No App Service variables, so msal falls through to the metadata service.
  delete process.env.IDENTITY_ENDPOINT;
  delete process.env.IDENTITY_HEADER;
  restoreEnv = setProcessEnv(world.identity.imdsEnv());
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

describe("managed identity, instance metadata protocol", () => {
  it("signs in as the system-assigned identity", async () => {
    const before = world.identity.requests.length;
    const client = clientFor({ DATAVERSE_MANAGED_IDENTITY: "system" });
    const answer = await client.get<{ UserId: string }>("WhoAmI");
    expect(answer.data.UserId).toMatch(/^[0-9a-f-]{36}$/);
    expect(world.identity.requests.slice(before)).toEqual([
      {
        protocol: "imds",
        apiVersion: "2018-02-01",
        resource: world.dataverse.url,
        idParameter: null,
        status: 200,
      },
    ]);
  });

  it("names a user-assigned identity by resource id with msi_res_id", async () => {
    const before = world.identity.requests.length;
    const client = clientFor({
      DATAVERSE_MANAGED_IDENTITY: "user",
      DATAVERSE_MANAGED_IDENTITY_RESOURCE_ID: world.userAssigned.resourceId,
    });
    await client.get("WhoAmI");
    expect(world.identity.requests.slice(before).map((r) => [r.idParameter, r.status])).toEqual([
      [{ name: "msi_res_id", value: world.userAssigned.resourceId }, 200],
    ]);
  });
});
