// The deploy sequence against a fake pac (test/deploy/fake-pac.mjs): the exact command lines for each
// credential variant and model version, a failure at each step, and the secret kept out of argv,
// logs and output.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runBuild } from "../../scripts/build/run-build";
import { createStepRunner } from "../../scripts/lib/progress";
import type { PacCredentials } from "../../scripts/pac/commands";
import { createPacRunner } from "../../scripts/pac/runner";
import { runDeploy, type DeployOptions } from "../../scripts/deploy/run-deploy";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const FAKE_PAC = join(REPO, "test/deploy/fake-pac.mjs");
const SITE = join(REPO, "test/fixtures/standard-site/contoso-events---contosoevents");
const WEBSITE_ID = "aaaaaaaa-0001-4000-8000-000000000001";
const SECRET = "Zq8~fake-client-secret-value-0123";

interface PacCall {
  argv: string[];
  spnSecretSet: boolean;
  agent: string | null;
  uploadHasWebsiteYml?: boolean;
  uploadFiles?: string[];
}

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "epg-deploy-test-"));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function calls(): PacCall[] {
  try {
    return readFileSync(join(work, "pac.log"), "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as PacCall);
  } catch {
    return [];
  }
}

async function deploy(credentials: PacCredentials, extra: Partial<DeployOptions> = {}, failAt?: string) {
  const lines: string[] = [];
  const env = {
    ...process.env,
    FAKE_PAC_LOG: join(work, "pac.log"),
    FAKE_PAC_SITE: SITE,
    ...(failAt
      ? {
          FAKE_PAC_FAIL: failAt,
          FAKE_PAC_FAIL_MESSAGE: "Error: The user is not a member of the organization.",
        }
      : {}),
  };
  const pac = createPacRunner({
    pacPath: FAKE_PAC,
    workingDir: work,
    agent: "kit-test",
    logger: { log: (l) => lines.push(l), error: (l) => lines.push(l) },
    env,
    redact: credentials.kind === "client-secret" ? [credentials.clientSecret] : [],
  });
  const promise = runDeploy(
    {
      environmentUrl: "https://contoso.crm.dynamics.com",
      websiteId: WEBSITE_ID,
      modelVersion: "1",
      credentials,
      secretHandling: { clientSecret: "env" },
      cloud: "Public",
      profileName: "epg-kit-deploy",
      dryRun: false,
      ...extra,
    },
    {
      pac,
      step: createStepRunner({ write: (l) => lines.push(l) }),
      out: (l) => lines.push(l),
      overlay: async (siteDir) => {
        const result = await runBuild({
          repoRoot: REPO,
          kitVersion: "test",
          outDir: null,
          site: siteDir,
          log: (l) => lines.push(l),
        });
        return { changed: result.overlay?.changed ?? [], pagePath: result.overlay?.url ?? "/" };
      },
      planOverlay: async () => ({ files: [], pagePath: "/payment-gateway/" }),
      clearCache: async ({ environmentId }) => `cleared for ${environmentId}`,
      checkPage: async () => 200,
    },
  );
  return { promise, lines };
}

const SECRET_CREDS: PacCredentials = {
  kind: "client-secret",
  tenantId: "00000000-0000-0000-0000-0000000000aa",
  appId: "11111111-1111-1111-1111-111111111111",
  clientSecret: SECRET,
};

describe("deploy through pac", () => {
  it("runs auth → who → download → upload (with the kit's records) → delete our profile, for each model version", async () => {
    for (const modelVersion of ["1", "2"] as const) {
      rmSync(join(work, "pac.log"), { force: true });
      const { promise, lines } = await deploy(SECRET_CREDS, {
        modelVersion,
        deploymentProfile: "prod",
        portalUrl: "https://contoso.powerappsportals.com",
      });
      const summary = await promise;
      const seen = calls();
      expect(seen.map((c) => c.argv.slice(0, 2).join(" "))).toEqual([
        "auth create",
        "org who",
        "paportal download",
        "paportal upload",
        "auth delete",
      ]);
      expect(seen[0]?.argv).toEqual([
        "auth",
        "create",
        "--environment",
        "https://contoso.crm.dynamics.com",
        "--tenant",
        SECRET_CREDS.tenantId,
        "--applicationId",
        SECRET_CREDS.appId,
        "--cloud",
        "Public",
        "--name",
        "epg-kit-deploy",
      ]);
      expect(seen[0]?.spnSecretSet).toBe(true);
      expect(seen[2]?.argv).toEqual([
        "paportal",
        "download",
        "--path",
        expect.stringMatching(/download$/),
        "--websiteId",
        WEBSITE_ID,
        "--overwrite",
        "true",
        "--modelVersion",
        modelVersion,
      ]);
      expect(seen[3]?.argv).toEqual([
        "paportal",
        "upload",
        "--path",
        expect.stringMatching(/contoso-events---contosoevents$/),
        "--deploymentProfile",
        "prod",
        "--modelVersion",
        modelVersion,
      ]);
      expect(seen[3]?.uploadHasWebsiteYml).toBe(true);
      expect(seen[3]?.uploadFiles).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^web-templates\/payment-gateway\/Payment-Gateway\.webtemplate\.source\.html$/,
          ),
          expect.stringMatching(/^page-templates\/Payment-Gateway\.pagetemplate\.yml$/),
        ]),
      );
      expect(seen[4]?.argv).toEqual(["auth", "delete", "--name", "epg-kit-deploy"]);
      expect(seen.every((c) => c.agent === "kit-test")).toBe(true);
      expect(summary.changed.length).toBeGreaterThan(0);
      expect(summary.cache).toBe("cleared for 5f0a3c1e-1111-4222-8333-444455556666");
      expect(summary.pageUrl).toBe("https://contoso.powerappsportals.com/payment-gateway/");
      expect(lines.some((l) => /^✓ upload the site .*\(\d/.test(l))).toBe(true);
      const everything = JSON.stringify(seen.map((c) => c.argv)) + lines.join("\n");
      expect(everything).not.toContain(SECRET);
    }
  });

  it("signs in with each credential variant", async () => {
    const variants: Array<[PacCredentials, string[]]> = [
      [
        { kind: "certificate", tenantId: "t", appId: "a", certificatePath: "/certs/app.pfx" },
        ["--tenant", "t", "--applicationId", "a", "--certificateDiskPath", "/certs/app.pfx"],
      ],
      [{ kind: "managed-identity" }, ["--managedIdentity"]],
      [
        { kind: "federated", tenantId: "t", appId: "a", provider: "AzureDevOps" },
        ["--applicationId", "a", "--tenant", "t", "--azureDevOpsFederated"],
      ],
    ];
    for (const [credentials, middle] of variants) {
      rmSync(join(work, "pac.log"), { force: true });
      await (
        await deploy(credentials)
      ).promise;
      const first = calls()[0];
      expect(first?.argv).toEqual([
        "auth",
        "create",
        "--environment",
        "https://contoso.crm.dynamics.com",
        ...middle,
        "--cloud",
        "Public",
        "--name",
        "epg-kit-deploy",
      ]);
      expect(first?.spnSecretSet).toBe(false);
    }
  });

  it.each([
    ["auth create", "auth", ["auth create"]],
    ["org who", "org who", ["auth create", "org who", "auth delete"]],
    ["paportal download", "download", ["auth create", "org who", "paportal download", "auth delete"]],
    [
      "paportal upload",
      "upload",
      ["auth create", "org who", "paportal download", "paportal upload", "auth delete"],
    ],
  ])(
    "a failure in %s names the step, pac's words and a fix, and still deletes only our profile",
    async (verb, step, sequence) => {
      const { promise, lines } = await deploy(SECRET_CREDS, {}, verb);
      const error = (await promise.catch((e: unknown) => e)) as Error & {
        step: string;
        hint: string;
        cause: { output: string[] };
      };
      expect(error.step).toBe(step);
      expect(error.cause.output.join("\n")).toContain("The user is not a member of the organization.");
      expect(error.hint).toMatch(/security role/);
      expect(calls().map((c) => c.argv.slice(0, 2).join(" "))).toEqual(sequence);
      expect(lines.join("\n")).not.toContain(SECRET);
    },
  );
});

describe("the deploy command line", () => {
  const run = promisify(execFile);
  const tsx = join(REPO, "node_modules/.bin/tsx");
  const cli = (args: string[], env: NodeJS.ProcessEnv) =>
    run(tsx, [join(REPO, "scripts/deploy.ts"), ...args], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it("refuses bad input with every problem at once and touches nothing", async () => {
    const result = await cli(
      ["--environment", "http://contoso", "--website-id", "nope", "--model-version", "3"],
      { PAC_PATH: FAKE_PAC, FAKE_PAC_LOG: join(work, "pac.log") },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--environment must be an https URL/);
    expect(result.stderr).toMatch(/--website-id must be a GUID/);
    expect(result.stderr).toMatch(/--model-version must be 1/);
    expect(result.stderr).toMatch(/No pac credentials/);
    expect(calls()).toEqual([]);
  });

  it("--dry-run prints the plan and the files, runs no pac, and never prints the secret", async () => {
    const result = await cli(
      [
        "--environment",
        "https://contoso.crm.dynamics.com",
        "--website-id",
        WEBSITE_ID,
        "--dry-run",
        "--site",
        SITE,
        "--portal-url",
        "https://contoso.powerappsportals.com",
      ],
      {
        PAC_PATH: FAKE_PAC,
        FAKE_PAC_LOG: join(work, "pac.log"),
        DATAVERSE_TENANT_ID: SECRET_CREDS.tenantId,
        DATAVERSE_CLIENT_ID: SECRET_CREDS.appId,
        DATAVERSE_CLIENT_SECRET: SECRET,
      },
    );
    expect(result.stderr + result.stdout).not.toContain(SECRET);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("pac auth create --environment https://contoso.crm.dynamics.com");
    expect(result.stdout).toContain("pac paportal upload --path <site-folder> --modelVersion 1");
    expect(result.stdout).toMatch(/web-templates\/payment-gateway\/Payment-Gateway\.webtemplate\.yml/);
    expect(result.stdout).toContain("https://contoso.powerappsportals.com/payment-gateway/");
    expect(calls()).toEqual([]);
    // the fixture itself is untouched
    expect(readFileSync(join(SITE, "sitesetting.yml"), "utf8")).not.toContain("PaymentGateway/");
  });

  it("finds no pac and says how to get one", async () => {
    writeFileSync(join(work, "not-executable"), "");
    const result = await cli(
      [
        "--environment",
        "https://contoso.crm.dynamics.com",
        "--website-id",
        WEBSITE_ID,
        "--pac-path",
        join(work, "not-executable"),
      ],
      {
        DATAVERSE_TENANT_ID: "t",
        DATAVERSE_CLIENT_ID: "a",
        DATAVERSE_CLIENT_SECRET: SECRET,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Could not find the pac executable.*PAC_PATH/s);
  });
});
