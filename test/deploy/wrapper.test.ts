// When @microsoft/powerplatform-cli-wrapper is installed the deploy hands it download and upload
// with the same parameters (a fake module stands in: the package is published to GitHub Packages only).
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createStepRunner } from "../../scripts/lib/progress";
import { loadWrapper, type WrapperModule, type WrapperHost } from "../../scripts/pac/wrapper";
import { runDeploy } from "../../scripts/deploy/run-deploy";

const SITE = join(
  fileURLToPath(new URL("../..", import.meta.url)),
  "test/fixtures/standard-site/contoso-events---contosoevents",
);

describe("the cli-wrapper path", () => {
  it("is taken only when the package can be imported and has both actions", async () => {
    expect(await loadWrapper(async () => Promise.reject(new Error("Cannot find package")))).toBeNull();
    expect(await loadWrapper(async () => ({ uploadPaportal: () => undefined }))).toBeNull();
    const fake = { uploadPaportal: async () => undefined, downloadPaportal: async () => undefined };
    expect(await loadWrapper(async () => ({ default: fake }))).toBe(fake);
  });

  it("passes the wrapper the deploy's parameters, and never runs pac itself", async () => {
    const calls: Array<{
      action: string;
      params: Record<string, unknown>;
      inputs: Record<string, string | undefined>;
    }> = [];
    const read = (host: WrapperHost, params: Record<string, unknown>) =>
      Object.fromEntries(
        Object.values(params)
          .filter(
            (v): v is { name: string; required: boolean } =>
              typeof v === "object" && v !== null && "required" in v,
          )
          .map((e) => [e.name, host.getInput(e)]),
      );
    const module: WrapperModule = {
      downloadPaportal: async (params, _runner, host) => {
        const inputs = read(host, params);
        calls.push({ action: "download", params, inputs });
        const target = join(String(inputs["download-path"]), "contoso-events---contosoevents");
        mkdirSync(target, { recursive: true });
        cpSync(SITE, target, { recursive: true });
      },
      uploadPaportal: async (params, _runner, host) => {
        calls.push({ action: "upload", params, inputs: read(host, params) });
      },
    };
    const pacCalls: string[][] = [];
    const summary = await runDeploy(
      {
        environmentUrl: "https://contoso.crm.dynamics.com",
        websiteId: "aaaaaaaa-0001-4000-8000-000000000001",
        modelVersion: "2",
        deploymentProfile: "prod",
        credentials: { kind: "client-secret", tenantId: "t", appId: "a", clientSecret: "s" },
        secretHandling: { clientSecret: "env" },
        cloud: "Public",
        profileName: "p",
        dryRun: false,
      },
      {
        pac: async (args) => {
          pacCalls.push([...args]);
          return [];
        },
        step: createStepRunner({ write: () => undefined }),
        out: () => undefined,
        overlay: async () => ({ changed: ["sitesetting.yml"], pagePath: "/payment-gateway/" }),
        planOverlay: async () => ({ files: [], pagePath: "/" }),
        clearCache: async () => "manual",
        checkPage: async () => 200,
        wrapper: {
          module,
          runner: { logger: console, agent: "test", workingDir: "/tmp", runnersDir: "/tmp" },
        },
      },
    );
    expect(pacCalls).toEqual([]);
    expect(calls.map((c) => c.action)).toEqual(["download", "upload"]);
    expect(calls[0]?.params.credentials).toEqual({
      appId: "a",
      clientSecret: "s",
      tenantId: "t",
      cloudInstance: "Public",
      scheme: "ClientSecret",
      encodeSecret: true,
    });
    expect(calls[0]?.params.environmentUrl).toBe("https://contoso.crm.dynamics.com");
    expect(calls[0]?.inputs).toMatchObject({
      "website-id": "aaaaaaaa-0001-4000-8000-000000000001",
      overwrite: "true",
      "model-version": "2",
    });
    expect(calls[1]?.inputs).toMatchObject({
      "upload-path": expect.stringMatching(/contoso-events---contosoevents$/),
      "deployment-profile": "prod",
      "model-version": "2",
    });
    expect(summary.changed).toEqual(["sitesetting.yml"]);
  });
});
