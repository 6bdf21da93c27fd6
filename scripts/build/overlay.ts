// Writes the kit's records into a pac site folder, all or nothing, then validates the folder. The
// deploy command calls this between `pac pages download` and `pac pages upload`.

import { loadSiteFolder } from "../../power-pages";
import { applyFiles } from "./apply-files";
import type { KitArtifacts } from "./compose-artifacts";
import type { Definitions } from "./definitions";
import { BuildError } from "./errors";
import { planSiteRecords } from "./plan-site-records";
import type { SitePlan } from "./plan-site-records";
import { refuseSecretsInFiles } from "./secret-patterns";
import { failingProblems, formatProblems, validateLoadedSite, validateSiteFolder } from "./validate";
import type { Problem } from "./validate";

export interface OverlayOptions {
  definitions: Definitions;
  artifacts: KitArtifacts;
  /** Setting slot keys whose value replaces the one already in the site (from --config / --endpoint-url). */
  explicitSettingValues?: ReadonlySet<string>;
  /** Take over records that already use our name or partial URL instead of refusing. */
  force?: boolean;
  /** Secret values from the caller's environment; finding one in an emitted file fails the build. */
  knownSecrets?: readonly string[];
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface OverlayResult {
  /** Absolute path of the folder that holds website.yml. */
  siteRoot: string;
  keyStyle: "adx" | "bare";
  changed: string[];
  unchanged: string[];
  ids: SitePlan["ids"];
  url: string;
  warnings: string[];
  /** Problems the folder already had before the overlay (reported, not fatal). */
  preexistingProblems: Problem[];
}

export function overlaySite(siteDir: string, options: OverlayOptions): OverlayResult {
  const log = options.log ?? (() => undefined);
  const knownSecrets = options.knownSecrets ?? [];
  const site = loadSiteFolder(siteDir);
  log(
    `Site folder ${site.root} (${site.keyStyle === "adx" ? "adx_ keys" : "bare keys"}), website "${site.website.name}".`,
  );
  const plan = planSiteRecords({
    site,
    definitions: options.definitions,
    templateSource: options.artifacts.templateSource,
    explicitSettingValues: options.explicitSettingValues ?? new Set(),
    force: options.force ?? false,
  });

  refuseSecretsInFiles(plan.files, knownSecrets);

  const before = validateLoadedSite(site, { knownSecrets });
  const applied = applyFiles(site.root, plan.files);
  const after = applied.changed.length === 0 ? before : validateSiteFolder(site.root, { knownSecrets });
  const known = new Set(before.problems.map(problemKey));
  const introduced = failingProblems(after.problems).filter((p) => !known.has(problemKey(p)));
  if (introduced.length > 0) {
    applied.rollback();
    throw new BuildError(
      "VALIDATION_FAILED",
      `The site folder would not validate after the overlay, so nothing was written:\n${formatProblems(introduced)}`,
      { file: site.root },
    );
  }
  applied.commit();
  for (const file of applied.changed) log(`wrote ${file}`);
  if (applied.changed.length === 0) log("Nothing changed: the folder already holds these records.");
  const errorsBefore = failingProblems(before.problems).length;
  if (before.problems.length > 0)
    log(
      `The site folder already had ${errorsBefore} error(s) and ${before.problems.length - errorsBefore} warning(s) before the overlay; \`npm run validate -- ${site.root}\` lists them.`,
    );
  return {
    siteRoot: site.root,
    keyStyle: site.keyStyle,
    changed: applied.changed,
    unchanged: applied.unchanged,
    ids: plan.ids,
    url: plan.url,
    warnings: plan.warnings,
    preexistingProblems: before.problems,
  };
}

function problemKey(problem: Problem): string {
  return `${problem.code}|${problem.file}|${problem.message}`;
}
