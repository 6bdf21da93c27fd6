// The compiled endpoint runs without devDependencies: `npm run build:hosting`'s bundles import only
// packages listed under "dependencies", and the Node host bundle, started with plain node in a
// folder whose node_modules holds only what `npm ci --omit=dev` installs (the lockfile's non-dev
// packages, linked from the checkout), serves /readyz against the stand-ins and stops on SIGTERM.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { buildHosting, checkProductionOnly, packageOf } from "../../scripts/hosting/build-hosting";
import type { HostingBuildResult } from "../../scripts/hosting/build-hosting";

const root = process.cwd();
let dir: string;
let built: HostingBuildResult;
let dataverse: DataverseStandIn;

/** node_modules with the lockfile's production packages only (top level; nested ones come along). */
function linkProductionModules(target: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const linked: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path)?.[1];
    if (!name || entry.dev) continue;
    const source = join(root, "node_modules", name);
    if (!existsSync(source)) continue; // an optional package for another platform
    const link = join(target, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(source, link, "dir");
    linked.push(name);
  }
  return linked;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hosting-build-"));
  built = await buildHosting(root, join(dir, "dist"));
  dataverse = await startDataverseStandIn({});
}, 120_000);

afterAll(async () => {
  await dataverse?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run build:hosting", () => {
  it("bundles only production dependencies and writes the function app folder", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(checkProductionOnly(built.packages, pkg)).toEqual([]);
    expect(built.packages).toContain("@azure/functions");
    expect(built.packages).not.toContain("tsx");
    const app = JSON.parse(readFileSync(join(built.functionApp, "package.json"), "utf8"));
    expect(app).toMatchObject({ main: "main.js", type: "module", dependencies: pkg.dependencies });
    expect(
      JSON.parse(readFileSync(join(built.functionApp, "host.json"), "utf8")).extensions.http.routePrefix,
    ).toBe("");
    expect(existsSync(join(built.functionApp, "package-lock.json"))).toBe(true);
  });

  it("names a devDependency the endpoint would import at run time", () => {
    const problems = checkProductionOnly(["zod", "tsx", "node:fs", "fs"], {
      name: "k",
      version: "1",
      dependencies: { zod: "1" },
      devDependencies: { tsx: "1" },
    });
    expect(problems).toEqual([expect.stringContaining("tsx is imported at run time but is a devDependency")]);
    expect(packageOf("@azure/functions/lib/x")).toBe("@azure/functions");
    expect(packageOf("./local")).toBeNull();
  });

  it(
    "the compiled endpoint starts with production packages only, is ready, and stops on SIGTERM",
    { timeout: 60_000 },
    async () => {
      const linked = linkProductionModules(dir);
      expect(linked).toContain("zod");
      expect(linked).not.toContain("tsx");
      expect(linked).not.toContain("vitest");
      const child = spawn(process.execPath, [built.endpoint], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? "",
          DATAVERSE_URL: dataverse.url,
          DATAVERSE_TENANT_ID: dataverse.tenantId,
          DATAVERSE_CLIENT_ID: dataverse.clientId,
          DATAVERSE_CLIENT_SECRET: dataverse.clientSecret,
          DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
          PORTAL_ORIGINS: "http://127.0.0.1:5996",
          STRIPE_SECRET_KEY: "sk_test_build",
          STRIPE_WEBHOOK_SECRETS: "whsec_build_test_secret",
          STRIPE_API_BASE: "http://127.0.0.1:9",
          STORE_URL: `sqlite:${join(dir, "gateway.sqlite")}`,
          PORT: "0",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const line = /^(http:\/\/\S+)\n/m.exec(out)?.[1];
          if (line) resolve(line);
        });
        void exit.then(() => reject(new Error(`the compiled endpoint exited:\n${err}`)));
      });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status, await ready.text()).toBe(200);
      child.kill("SIGTERM");
      expect(await exit, err).toBe(0);
    },
  );
});

describe("Dockerfile (docker itself is not run here)", () => {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  const ignore = readFileSync(join(root, ".dockerignore"), "utf8").split("\n");

  it("starts the file build:hosting writes, as the node user, with a health check", () => {
    const cmd = (JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? "[]") as string[]).at(-1);
    expect(cmd).toBe("dist/endpoint/main.js");
    expect(join(root, "dist", "endpoint", "main.js").endsWith(cmd!)).toBe(true);
    expect(dockerfile).toMatch(/^RUN npm run build:hosting$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
  });

  it("installs from the lockfile only, production dependencies in the image", () => {
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    expect(dockerfile).not.toMatch(/npm install/);
    expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json \.\/$/m);
    for (const kept of ["node_modules", "dist", "data", ".env", "*.sqlite", "*.pem"])
      expect(ignore).toContain(kept);
  });
});
