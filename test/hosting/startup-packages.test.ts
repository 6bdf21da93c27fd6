// What the deployed endpoint loads when it starts: the Node host bundled as `npm run build:hosting`
// bundles it (esbuild, every package left to node_modules). The packages only some configurations
// use are imported on first use, so they cost no memory in an endpoint that does not use them
// (docs/ingest-profile.md, "Memory"): a static import of one of them would load it at start.

import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { packageOf } from "../../scripts/hosting/build-hosting";

/** Packages the bundle of `entry` imports, by how: at start (import-statement) or on demand. */
async function importedPackages(entry: string): Promise<{ atStart: string[]; onDemand: string[] }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    write: false,
    outfile: "main.js",
    metafile: true,
    logLevel: "silent",
  });
  const atStart = new Set<string>();
  const onDemand = new Set<string>();
  for (const output of Object.values(result.metafile.outputs))
    for (const imported of output.imports) {
      const name = imported.external ? packageOf(imported.path) : null;
      if (name === null || name.startsWith("node:")) continue;
      (imported.kind === "dynamic-import" ? onDemand : atStart).add(name);
    }
  return { atStart: [...atStart].sort(), onDemand: [...onDemand].sort() };
}

/** Needed only by PostgreSQL, Key Vault, Adyen, PayPal or tracing. */
const LAZY = [
  "pg",
  "@azure/keyvault-secrets",
  "@adyen/api-library",
  "@paypal/paypal-server-sdk",
  "@azure/monitor-opentelemetry",
  "@opentelemetry/sdk-trace-base",
];

describe("packages the endpoint loads at start", () => {
  it("imports PostgreSQL, Key Vault, Adyen, PayPal and tracing packages only on demand", async () => {
    const { atStart, onDemand } = await importedPackages("confirmation-endpoint/main.ts");
    expect(atStart.filter((name) => LAZY.includes(name))).toEqual([]);
    expect(onDemand).toEqual(expect.arrayContaining(LAZY));
    // What every configuration needs still loads at start (the check sees static imports at all).
    expect(atStart).toEqual(expect.arrayContaining(["better-sqlite3", "stripe"]));
  }, 60_000);
});
