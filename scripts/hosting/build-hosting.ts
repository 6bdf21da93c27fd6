// Compiles the endpoint for the Azure hosts, so production runs plain `node` with production
// dependencies only (tsx is a devDependency): an esbuild bundle of the kit's own code, every npm
// package left as an import resolved from node_modules at run time. Each package a bundle imports
// must be listed under "dependencies": a devDependency there would break `npm ci --omit=dev`.
//
//   dist/endpoint/main.js         the Node host (App Service, Container Apps: ENDPOINT_START_COMMAND)
//   dist/azure-functions/         a function app folder: main.js, host.json, package.json, package-lock.json

import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import type { Metafile } from "esbuild";
import { KitError } from "../../common/kit-error";
import { ENDPOINT_START_COMMAND } from "./node-flags";

export interface HostingBuildResult {
  outDir: string;
  endpoint: string;
  functionApp: string;
  /** How App Service and Container Apps start `endpoint`, from the app's folder (with the kit's node flags). */
  startCommand: string;
  /** npm packages the bundles import at run time (all production dependencies). */
  packages: string[];
}

interface PackageJson {
  name: string;
  version: string;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export class HostingBuildError extends KitError {
  readonly code = "HOSTING_BUILD";
}

/** The package a bare import names: "@azure/functions" for "@azure/functions/x", "pg" for "pg". */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return null;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** npm packages a bundle leaves to node_modules. */
export function externalPackages(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs))
    for (const imported of output.imports)
      if (imported.external) {
        const name = packageOf(imported.path);
        if (name !== null) found.add(name);
      }
  return [...found].sort();
}

/** A problem for every package a bundle needs that `npm ci --omit=dev` would not install. */
export function checkProductionOnly(packages: string[], pkg: PackageJson): string[] {
  const builtins = new Set(builtinModules);
  return packages
    .filter((name) => !name.startsWith("node:") && !builtins.has(name) && !(name in pkg.dependencies))
    .map((name) =>
      name in (pkg.devDependencies ?? {})
        ? `${name} is imported at run time but is a devDependency: move it to "dependencies" or stop importing it from the endpoint`
        : `${name} is imported at run time but is not in package.json's "dependencies"`,
    );
}

async function bundle(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    metafile: true,
    logLevel: "silent",
  });
  return result.metafile;
}

/** Builds both outputs under `outDir` (default `root/dist`); throws HostingBuildError when a bundle needs a devDependency. */
export async function buildHosting(root: string, outDir = join(root, "dist")): Promise<HostingBuildResult> {
  const endpoint = join(outDir, "endpoint", "main.js");
  const functionApp = join(outDir, "azure-functions");
  rmSync(join(outDir, "endpoint"), { recursive: true, force: true });
  rmSync(functionApp, { recursive: true, force: true });
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;
  const metafiles = [
    await bundle(join(root, "confirmation-endpoint", "main.ts"), endpoint),
    await bundle(join(root, "hosting", "azure-functions", "main.ts"), join(functionApp, "main.js")),
  ];
  const packages = [...new Set(metafiles.flatMap(externalPackages))].sort();
  const problems = checkProductionOnly(packages, pkg);
  if (problems.length > 0)
    throw new HostingBuildError(
      `The hosting bundles cannot run on production dependencies:\n  ${problems.join("\n  ")}`,
    );
  mkdirSync(functionApp, { recursive: true });
  copyFileSync(join(root, "hosting", "azure-functions", "host.json"), join(functionApp, "host.json"));
  // The function app installs from the kit's own lockfile (npm ci --omit=dev), so its package.json
  // keeps the kit's dependency lists (npm ci refuses a package.json out of step with the lock).
  const appPackage = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    type: "module",
    main: "main.js",
    engines: pkg.engines,
    dependencies: pkg.dependencies,
    devDependencies: pkg.devDependencies,
  };
  writeFileSync(join(functionApp, "package.json"), `${JSON.stringify(appPackage, null, 2)}\n`);
  copyFileSync(join(root, "package-lock.json"), join(functionApp, "package-lock.json"));
  return { outDir, endpoint, functionApp, startCommand: ENDPOINT_START_COMMAND, packages };
}

export function resolveRoot(): string {
  return resolve(import.meta.dirname, "..", "..");
}
