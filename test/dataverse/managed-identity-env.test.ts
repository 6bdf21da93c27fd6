// The managed identity variables: exactly one credential kind per application user, the message
// listing the valid sets, and a managed identity needing neither tenant nor client id.

import { describe, expect, it } from "vitest";
import { readDataverseEnv } from "../../confirmation-endpoint/dataverse/read-dataverse-env";

const url = { DATAVERSE_URL: "https://contoso.crm.dynamics.com" };
const app = {
  DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
  DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
};
const CLIENT = "22222222-2222-2222-2222-222222222222";
const RESOURCE =
  "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/kit/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kit-endpoint";
const noFiles = (): string => {
  throw Object.assign(new Error("nope"), { code: "ENOENT" });
};
const problems = (env: Record<string, string>) => readDataverseEnv(env, noFiles).problems.join("\n");

describe("managed identity variables", () => {
  it.each([
    [{ DATAVERSE_MANAGED_IDENTITY: "system" }, { kind: "system" }],
    [
      { DATAVERSE_MANAGED_IDENTITY: "user", DATAVERSE_MANAGED_IDENTITY_CLIENT_ID: CLIENT },
      { kind: "user", clientId: CLIENT },
    ],
    [
      { DATAVERSE_MANAGED_IDENTITY: "user", DATAVERSE_MANAGED_IDENTITY_RESOURCE_ID: RESOURCE },
      { kind: "user", resourceId: RESOURCE },
    ],
    [
      { DATAVERSE_MANAGED_IDENTITY: "USER", DATAVERSE_MANAGED_IDENTITY_OBJECT_ID: CLIENT },
      { kind: "user", objectId: CLIENT },
    ],
  ])("reads %o without a tenant or client id", (env, identity) => {
    const result = readDataverseEnv({ ...url, ...env }, noFiles);
    expect(result.problems).toEqual([]);
    expect(result.client?.credentials).toEqual([{ managedIdentity: identity, label: "user1" }]);
  });

  it("refuses two kinds at once and lists every valid set", () => {
    const text = problems({
      ...url,
      ...app,
      DATAVERSE_CLIENT_SECRET: "x",
      DATAVERSE_MANAGED_IDENTITY: "system",
    });
    expect(text).toContain("application user 1: both a client secret and a managed identity are set");
    for (const set of [
      "DATAVERSE_CLIENT_SECRET",
      "DATAVERSE_CERTIFICATE_PATH (+ DATAVERSE_CERTIFICATE_THUMBPRINT",
      "DATAVERSE_MANAGED_IDENTITY=system",
      "DATAVERSE_MANAGED_IDENTITY=user with one of DATAVERSE_MANAGED_IDENTITY_CLIENT_ID, DATAVERSE_MANAGED_IDENTITY_RESOURCE_ID or DATAVERSE_MANAGED_IDENTITY_OBJECT_ID",
    ])
      expect(text).toContain(set);
    expect(text).not.toMatch(/: x\b/);
  });

  it("names all three when all three are set", () => {
    expect(
      problems({
        ...url,
        ...app,
        DATAVERSE_CLIENT_SECRET: "x",
        DATAVERSE_CERTIFICATE_PATH: "/k.pem",
        DATAVERSE_MANAGED_IDENTITY: "system",
      }),
    ).toContain("a client secret, a certificate and a managed identity are all set");
  });

  it.each([
    [{ DATAVERSE_MANAGED_IDENTITY: "user" }, "needs exactly one of DATAVERSE_MANAGED_IDENTITY_CLIENT_ID"],
    [
      {
        DATAVERSE_MANAGED_IDENTITY: "user",
        DATAVERSE_MANAGED_IDENTITY_CLIENT_ID: CLIENT,
        DATAVERSE_MANAGED_IDENTITY_OBJECT_ID: CLIENT,
      },
      "2 set",
    ],
    [
      { DATAVERSE_MANAGED_IDENTITY: "system", DATAVERSE_MANAGED_IDENTITY_CLIENT_ID: CLIENT },
      'is "system" but',
    ],
    [{ DATAVERSE_MANAGED_IDENTITY_CLIENT_ID: CLIENT }, "set DATAVERSE_MANAGED_IDENTITY=user"],
    [{ DATAVERSE_MANAGED_IDENTITY: "yes" }, 'must be "system" or "user"'],
    [{ DATAVERSE_MANAGED_IDENTITY: "user", DATAVERSE_MANAGED_IDENTITY_CLIENT_ID: "kit" }, "must be a GUID"],
    [
      { DATAVERSE_MANAGED_IDENTITY: "user", DATAVERSE_MANAGED_IDENTITY_RESOURCE_ID: "kit" },
      "must be the identity's resource id",
    ],
  ])("explains %o", (env, message) => {
    expect(problems({ ...url, ...env })).toContain(message);
  });

  it("still needs the tenant for an extra application user with a secret", () => {
    const text = problems({
      ...url,
      DATAVERSE_MANAGED_IDENTITY: "system",
      DATAVERSE_CLIENT_ID_2: CLIENT,
      DATAVERSE_CLIENT_SECRET_2: "y",
    });
    expect(text).toContain(
      "DATAVERSE_TENANT_ID: required by the application users that sign in with a secret",
    );
  });

  it("reads a managed identity for an extra application user", () => {
    const result = readDataverseEnv(
      {
        ...url,
        ...app,
        DATAVERSE_CLIENT_SECRET: "x",
        DATAVERSE_CLIENT_ID_2: CLIENT,
        DATAVERSE_MANAGED_IDENTITY_2: "user",
        DATAVERSE_MANAGED_IDENTITY_CLIENT_ID_2: CLIENT,
      },
      noFiles,
    );
    expect(result.problems).toEqual([]);
    expect(result.client?.credentials[1]).toMatchObject({
      managedIdentity: { kind: "user", clientId: CLIENT },
      label: "user2",
    });
  });
});
