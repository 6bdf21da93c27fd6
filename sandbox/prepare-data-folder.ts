// The sandbox's data folder before anything starts: emptied on --fresh (only when it is a sandbox
// folder; the lock this sandbox holds on it stays), created, and given a copy of the fixture site on
// the first run.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LOCK_FILE } from "./data-folder-lock";
import { SandboxError } from "./sandbox-error";

/** Files only a sandbox data folder holds; a fresh start deletes a folder only when it finds one. */
const SANDBOX_MARKERS = ["clock.json", "dataverse.sqlite", "provider.sqlite", "endpoint.sqlite", "site"];

export function prepareDataFolder(dataDir: string, fresh: boolean, log: (line: string) => void): void {
  if (fresh && existsSync(dataDir)) {
    const entries = readdirSync(dataDir).filter((name) => name !== LOCK_FILE);
    if (entries.length > 0 && !entries.some((name) => SANDBOX_MARKERS.includes(name))) {
      throw new SandboxError(
        "NOT_A_SANDBOX_FOLDER",
        `${dataDir} holds files but none of the sandbox's (${SANDBOX_MARKERS.join(", ")}); fresh start refuses to delete it. Pick another data folder or empty it yourself.`,
      );
    }
    log(`--fresh: emptying ${dataDir} (the sandbox clock starts again at real time)`);
    for (const name of entries) rmSync(join(dataDir, name), { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
}

/** The site folder inside dataDir, copied from `fixture` when it is not there yet. */
export function ensureSiteFolder(dataDir: string, fixture: string, log: (line: string) => void): string {
  const siteDir = join(dataDir, "site");
  if (existsSync(siteDir)) return siteDir;
  if (!existsSync(fixture))
    throw new SandboxError(
      "NO_FIXTURE_SITE",
      `The fixture site ${fixture} is missing; pass fixtureSite or restore the repository's test/fixtures.`,
    );
  cpSync(fixture, siteDir, { recursive: true });
  log(`copied the fixture site into ${siteDir}`);
  return siteDir;
}
