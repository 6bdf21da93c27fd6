import { describe, expect, it } from "vitest";
import {
  authCreateCommand,
  credentialsFromEnv,
  downloadCommand,
  parseEnvironmentId,
  uploadCommand,
} from "../../scripts/pac/commands";

const ENV_URL = "https://contoso.crm.dynamics.com";
const TENANT = "00000000-0000-0000-0000-0000000000aa";
const APP = "11111111-1111-1111-1111-111111111111";

describe("pac command lines", () => {
  it("client secret: ids on the command line, the secret only in PAC_CLI_SPN_SECRET", () => {
    const cmd = authCreateCommand({
      environmentUrl: ENV_URL,
      credentials: { kind: "client-secret", tenantId: TENANT, appId: APP, clientSecret: "s3cr3t-value" },
      profileName: "epg-kit",
      cloud: "Public",
      secretHandling: { clientSecret: "env" },
    });
    expect(cmd.args).toEqual([
      "auth",
      "create",
      "--environment",
      ENV_URL,
      "--tenant",
      TENANT,
      "--applicationId",
      APP,
      "--cloud",
      "Public",
      "--name",
      "epg-kit",
    ]);
    expect(cmd.env).toEqual({ PAC_CLI_SPN_SECRET: "s3cr3t-value" });
    expect(cmd.args.join(" ")).not.toContain("s3cr3t");
  });

  it("client secret on argv only when asked, in pac's data: base64 form", () => {
    const cmd = authCreateCommand({
      environmentUrl: ENV_URL,
      credentials: { kind: "client-secret", tenantId: TENANT, appId: APP, clientSecret: "-starts-with-dash" },
      profileName: "epg-kit",
      cloud: "UsGov",
      secretHandling: { clientSecret: "argv" },
    });
    const i = cmd.args.indexOf("--clientSecret");
    expect(cmd.args[i + 1]).toBe(
      `data:text/plain;base64,${Buffer.from("-starts-with-dash").toString("base64")}`,
    );
    expect(cmd.args.slice(-4)).toEqual(["--cloud", "UsGov", "--name", "epg-kit"]);
  });

  it("certificate, managed identity and federated variants", () => {
    const base = {
      environmentUrl: ENV_URL,
      profileName: "p",
      cloud: "Public",
      secretHandling: { clientSecret: "env" as const },
    };
    expect(
      authCreateCommand({
        ...base,
        credentials: { kind: "certificate", tenantId: TENANT, appId: APP, certificatePath: "/k/app.pfx" },
      }).args,
    ).toEqual([
      "auth",
      "create",
      "--environment",
      ENV_URL,
      "--tenant",
      TENANT,
      "--applicationId",
      APP,
      "--certificateDiskPath",
      "/k/app.pfx",
      "--cloud",
      "Public",
      "--name",
      "p",
    ]);
    expect(authCreateCommand({ ...base, credentials: { kind: "managed-identity" } }).args).toEqual([
      "auth",
      "create",
      "--environment",
      ENV_URL,
      "--managedIdentity",
      "--cloud",
      "Public",
      "--name",
      "p",
    ]);
    expect(
      authCreateCommand({
        ...base,
        credentials: { kind: "federated", tenantId: TENANT, appId: APP, provider: "GitHub" },
      }).args,
    ).toEqual([
      "auth",
      "create",
      "--environment",
      ENV_URL,
      "--applicationId",
      APP,
      "--tenant",
      TENANT,
      "--githubFederated",
      "--cloud",
      "Public",
      "--name",
      "p",
    ]);
    expect(
      authCreateCommand({
        ...base,
        credentials: { kind: "federated", tenantId: TENANT, appId: APP, provider: "AzureDevOps" },
      }).args,
    ).toContain("--azureDevOpsFederated");
  });

  it("download and upload as the wrapper sends them, for both model versions", () => {
    for (const mv of ["1", "2"]) {
      expect(
        downloadCommand({
          path: "/tmp/d",
          websiteId: "aaaaaaaa-0000-4000-8000-000000000001",
          modelVersion: mv,
        }),
      ).toEqual([
        "paportal",
        "download",
        "--path",
        "/tmp/d",
        "--websiteId",
        "aaaaaaaa-0000-4000-8000-000000000001",
        "--overwrite",
        "true",
        "--modelVersion",
        mv,
      ]);
      expect(uploadCommand({ path: "/tmp/d/site", modelVersion: mv })).toEqual([
        "paportal",
        "upload",
        "--path",
        "/tmp/d/site",
        "--modelVersion",
        mv,
      ]);
    }
    expect(uploadCommand({ path: "/s", deploymentProfile: "prod", modelVersion: "2" })).toEqual([
      "paportal",
      "upload",
      "--path",
      "/s",
      "--deploymentProfile",
      "prod",
      "--modelVersion",
      "2",
    ]);
  });

  it("reads the environment id from pac org who", () => {
    expect(
      parseEnvironmentId([
        "Organization Information",
        "  Environment ID:   5F0A3C1E-1111-4222-8333-444455556666",
      ]),
    ).toBe("5f0a3c1e-1111-4222-8333-444455556666");
    expect(parseEnvironmentId(["nothing here"])).toBeNull();
  });
});

describe("credentials from the environment", () => {
  it("takes exactly one variant", () => {
    expect(
      credentialsFromEnv({
        DATAVERSE_TENANT_ID: TENANT,
        DATAVERSE_CLIENT_ID: APP,
        DATAVERSE_CLIENT_SECRET: "x",
      }).credentials?.kind,
    ).toBe("client-secret");
    expect(
      credentialsFromEnv({
        DATAVERSE_TENANT_ID: TENANT,
        DATAVERSE_CLIENT_ID: APP,
        PAC_CERTIFICATE_PATH: "/a.pfx",
      }).credentials?.kind,
    ).toBe("certificate");
    expect(credentialsFromEnv({ PAC_MANAGED_IDENTITY: "true" }).credentials?.kind).toBe("managed-identity");
    expect(
      credentialsFromEnv({ DATAVERSE_TENANT_ID: TENANT, DATAVERSE_CLIENT_ID: APP, PAC_FEDERATED: "GitHub" })
        .credentials?.kind,
    ).toBe("federated");
  });

  it("lists the valid sets when none or several are given, and names missing ids", () => {
    expect(credentialsFromEnv({}).problems[0]).toMatch(/No pac credentials.*exactly one of/);
    expect(
      credentialsFromEnv({ DATAVERSE_CLIENT_SECRET: "x", PAC_MANAGED_IDENTITY: "1" }).problems[0],
    ).toMatch(/Several pac credentials/);
    const missing = credentialsFromEnv({ DATAVERSE_CLIENT_SECRET: "x" });
    expect(missing.credentials).toBeUndefined();
    expect(missing.problems).toEqual([
      expect.stringMatching(/DATAVERSE_TENANT_ID/),
      expect.stringMatching(/DATAVERSE_CLIENT_ID/),
    ]);
  });
});
