// The whole build as one function: definitions → client bundle → template → dist/ → (site overlay).
// The CLI and the benchmark call it; the deploy command can call it too.

import { join } from "node:path";
import type { ClientBundle } from "./bundle-client";
import { composeArtifacts } from "./compose-artifacts";
import type { KitArtifacts } from "./compose-artifacts";
import { loadDefinitions } from "./definitions";
import type { DefinitionOverrides, LoadedDefinitions } from "./definitions";
import { overlaySite } from "./overlay";
import type { OverlayResult } from "./overlay";
import { writeDist } from "./write-dist";
import type { DistResult } from "./write-dist";

export interface RunBuildOptions {
  /** Repository root (holds portal-templates/definitions.yml and gateway-client/). */
  repoRoot: string;
  kitVersion: string;
  configFile?: string;
  overrides?: DefinitionOverrides;
  /** Where dist output goes; null skips it. Defaults to `<repoRoot>/dist`. */
  outDir?: string | null;
  /** A pac site folder to overlay. */
  site?: string;
  force?: boolean;
  knownSecrets?: readonly string[];
  log?: (line: string) => void;
  /** A pre-built client bundle (skips esbuild). */
  client?: ClientBundle;
}

export interface RunBuildResult {
  loaded: LoadedDefinitions;
  artifacts: KitArtifacts;
  dist: DistResult | null;
  overlay: OverlayResult | null;
}

export async function runBuild(options: RunBuildOptions): Promise<RunBuildResult> {
  const log = options.log ?? (() => undefined);
  const loaded = loadDefinitions(
    join(options.repoRoot, "portal-templates", "definitions.yml"),
    options.configFile,
    options.overrides,
  );
  const artifacts = await composeArtifacts({
    clientDir: join(options.repoRoot, "gateway-client"),
    templatePath: loaded.templatePath,
    definitions: loaded.definitions,
    kitVersion: options.kitVersion,
    repoRoot: options.repoRoot,
    ...(options.client ? { client: options.client } : {}),
  });
  // The site first: its refusals must stop the build before anything is written anywhere.
  const overlay =
    options.site === undefined
      ? null
      : overlaySite(options.site, {
          definitions: loaded.definitions,
          artifacts,
          explicitSettingValues: loaded.explicitSettingValues,
          force: options.force ?? false,
          knownSecrets: options.knownSecrets ?? [],
          log,
        });
  const outDir = options.outDir === undefined ? join(options.repoRoot, "dist") : options.outDir;
  const dist =
    outDir === null ? null : writeDist(outDir, loaded.definitions, artifacts, options.knownSecrets ?? []);
  if (dist)
    log(`dist: ${dist.files.join(", ")} in ${outDir}${dist.changed.length === 0 ? " (unchanged)" : ""}`);
  return { loaded, artifacts, dist, overlay };
}
