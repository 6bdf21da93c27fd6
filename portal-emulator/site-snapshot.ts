// Keeps a loaded site and its renderer fresh: on each request, a cheap walk of the folder's
// modification times decides whether to reload (so edits show up on the next refresh).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { findSiteFolder, loadSiteFolder } from "../power-pages/index";
import type { PortalFixtures } from "./fixtures";
import type { SiteRenderer } from "./render-page";
import { createSiteRenderer } from "./render-page";

/** A fingerprint of every file's path, size and modification time under `root`. */
function fingerprintFolder(root: string): string {
  const parts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const stat = statSync(path);
        parts.push(`${path}:${stat.size}:${stat.mtimeMs}`);
      }
    }
  };
  walk(root);
  return parts.sort().join("\n");
}

export interface SiteSnapshot {
  root: string;
  /** The renderer for the folder as it is now (reloaded when files changed). */
  current(): SiteRenderer;
}

export function watchSiteFolder(
  siteDir: string,
  fixtures: PortalFixtures,
  options: {
    log?: (level: string, message: string) => void;
    onReload?: () => void;
    layoutHead?: string;
  } = {},
): SiteSnapshot {
  const root = findSiteFolder(siteDir);
  let fingerprint = "";
  let renderer: SiteRenderer | undefined;
  return {
    root,
    current() {
      const now = fingerprintFolder(root);
      if (!renderer || now !== fingerprint) {
        const next = createSiteRenderer({
          site: loadSiteFolder(root),
          fixtures,
          ...(options.log ? { log: options.log } : {}),
          ...(options.layoutHead ? { layoutHead: options.layoutHead } : {}),
        });
        if (renderer) options.onReload?.();
        renderer = next;
        fingerprint = now;
      }
      return renderer;
    },
  };
}
