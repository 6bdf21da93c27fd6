// Shared helpers of the build tests: fixture copies in temp folders, folder snapshots, a fixed client.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import type { ClientBundle } from "../../scripts/build/bundle-client";
import type { RunBuildOptions } from "../../scripts/build/run-build";

export const repoRoot = join(import.meta.dirname, "..", "..");
export const fixturesDir = join(repoRoot, "test", "fixtures");
export const testConfig = join(fixturesDir, "build-template", "config.yml");
export const testTemplate = join(fixturesDir, "build-template", "payment-gateway.html");
export const goldenDir = join(repoRoot, "test", "golden", "build");

export const SITES = {
  standard: { fixture: "standard-site", folder: "contoso-events---contosoevents" },
  enhanced: { fixture: "enhanced-site", folder: "fabrikam-events---fabrikamevents" },
  /** One file per record (site-settings/, publishing-states/, …, content-pages/<language>/), bare keys. */
  perRecord: { fixture: "per-record-site", folder: "northwind-events---northwindevents" },
  /** Stock templates, `en`/`fr` codes, a CRLF sitesetting.yml, a Rewrite page, tolerated duplicates. */
  stock: { fixture: "stock-site", folder: "woodgrove-events---woodgroveevents" },
  /** website.yml in adx_ keys, webrole.yml and sitemarker.yml hand-edited into bare keys. */
  mixedKeys: { fixture: "mixed-keys-site", folder: "tailspin-events---tailspinevents" },
} as const;

/** A fixed client bundle, so tests do not depend on gateway-client/ (owned elsewhere) or esbuild. */
export const fakeClient: ClientBundle = {
  script: '(()=>{var a=document.getElementById("epg-root");a&&(a.dataset.state="ready")})();',
  style: ".epg{margin:0 auto;max-width:36rem}",
};

const temps: string[] = [];

export function makeTemp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function removeTemps(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Copies a fixture download into a temp folder; returns the folder that holds website.yml. */
export function copySite(which: keyof typeof SITES): string {
  const dir = makeTemp(`epg-${which}-`);
  cpSync(join(fixturesDir, SITES[which].fixture), dir, { recursive: true });
  return join(dir, SITES[which].folder);
}

/** Every file under `dir` with its content, keyed by relative path. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(relative(dir, full).split(sep).join("/"), readFileSync(full, "utf8"));
    }
  };
  walk(dir);
  return out;
}

/** Options of a build over the test template and fixed client, dist skipped. */
export function testBuild(site: string | undefined, extra: Partial<RunBuildOptions> = {}): RunBuildOptions {
  return {
    repoRoot,
    kitVersion: "9.9.9-test",
    configFile: testConfig,
    outDir: null,
    client: fakeClient,
    ...(site === undefined ? {} : { site }),
    ...extra,
  };
}
