import { describe, expect, it } from "vitest";
import { readDataverseEnv } from "../../confirmation-endpoint/dataverse/read-dataverse-env";

const base = {
  DATAVERSE_URL: "https://contoso.crm.dynamics.com",
  DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
  DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
};
const noFiles = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};

describe("readDataverseEnv", () => {
  it("reads one secret user and the optional settings", () => {
    const result = readDataverseEnv(
      {
        ...base,
        DATAVERSE_CLIENT_SECRET: "x",
        DATAVERSE_API_VERSION: "v9.1",
        DATAVERSE_MAX_CONCURRENCY: "2",
        DATAVERSE_FINALIZE_SUCCESS_STATUSES: "Success, Completed",
      },
      noFiles,
    );
    expect(result.problems).toEqual([]);
    expect(result.client).toMatchObject({
      ...{ url: base.DATAVERSE_URL },
      apiVersion: "v9.1",
      maxConcurrency: 2,
      credentials: [{ clientSecret: "x", label: "user1" }],
    });
    expect(result.api.successStatuses).toEqual(["Success", "Completed"]);
  });

  it("reads extra users and a certificate from a file", () => {
    const result = readDataverseEnv(
      {
        ...base,
        DATAVERSE_CERTIFICATE_PATH: "/keys/a.pem",
        DATAVERSE_CERTIFICATE_THUMBPRINT: "ab".repeat(32),
        DATAVERSE_CLIENT_ID_2: "22222222-2222-2222-2222-222222222222",
        DATAVERSE_CLIENT_SECRET_2: "y",
      },
      (path) => `PEM of ${path}`,
    );
    expect(result.problems).toEqual([]);
    expect(result.client?.credentials).toEqual([
      {
        certificate: {
          privateKeyPem: "PEM of /keys/a.pem",
          thumbprint: "ab".repeat(32),
          passphrase: undefined,
        },
        label: "user1",
      },
      { clientSecret: "y", clientId: "22222222-2222-2222-2222-222222222222", label: "user2" },
    ]);
  });

  it("lists every problem at once", () => {
    const result = readDataverseEnv(
      {
        DATAVERSE_CLIENT_SECRET: "x",
        DATAVERSE_CERTIFICATE_PATH: "/k.pem",
        DATAVERSE_TIMEOUT_MS: "soon",
        DATAVERSE_CLIENT_ID_3: "c",
      },
      noFiles,
    );
    expect(result.client).toBeNull();
    const all = result.problems.join("\n");
    for (const needle of [
      "DATAVERSE_URL",
      "DATAVERSE_TENANT_ID",
      "DATAVERSE_CLIENT_ID:",
      "both a client secret and a certificate",
      "user_3: no credential",
      "DATAVERSE_TIMEOUT_MS",
    ]) {
      expect(all).toContain(needle);
    }
  });
});
