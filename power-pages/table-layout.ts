// The two ways a pac site folder keeps a table, decided per table from what the folder holds:
// - "list": one root file holding every record (`sitesetting.yml`), as downloads have long done;
// - "per-record": one map file per record in a folder (`site-settings/<Name>.sitesetting.yml`), as
//   newer downloads and code sites do.
// Content pages likewise sit either flat in `content-pages/` or in `content-pages/<language>/`.
// Writing a new record the way the site already keeps its table means the next download gives
// the same files back, so a build after it finds its own records instead of duplicating them.

import { toPacFileName } from "./pac-names";
import type { SiteFolder } from "./types";

export type TableLayout = "list" | "per-record";

/** Folder names of the per-record layout, where known (INFERRED from downloads and code sites). */
const PER_RECORD_FOLDERS: Record<string, string> = {
  sitesetting: "site-settings",
  publishingstate: "publishing-states",
  websitelanguage: "site-languages",
  webrole: "web-roles",
  sitemarker: "sitemarkers",
  webpagerule: "webpage-rules",
};

/** How the site keeps `kind`: per-record when its records sit in map files inside a folder, else list. */
export function tableLayoutOf(site: SiteFolder, kind: string): TableLayout {
  const perRecord = site.recordFiles.some(
    (rf) => rf.kind === kind && rf.shape === "map" && rf.file.includes("/"),
  );
  return perRecord ? "per-record" : "list";
}

/** The root list file of a table: `sitesetting.yml`. */
export function listFileOf(kind: string): string {
  return `${kind}.yml`;
}

/** Where a new record of `kind` named `name` goes in the per-record layout of this site. */
export function perRecordFileOf(site: SiteFolder, kind: string, name: string): string {
  const existing = site.recordFiles.find(
    (rf) => rf.kind === kind && rf.shape === "map" && rf.file.includes("/"),
  );
  const folder = existing
    ? existing.file.slice(0, existing.file.lastIndexOf("/"))
    : (PER_RECORD_FOLDERS[kind] ?? `${kind}s`);
  // Setting names hold `/` (`Webapi/contact/fields`): code sites write them as `-`.
  return `${folder}/${toPacFileName(name.replace(/\//g, "-"))}.${kind}.yml`;
}

/**
 * How the site keeps content pages: `flat` (`content-pages/Home.en-US.webpage.yml`), in a folder per
 * language with the code in the name too (`content-pages/en-US/Home.en-US.webpage.yml`), or without
 * it (`content-pages/en-US/Home.webpage.yml`, as code sites write them). Read from the site's own files.
 */
export type ContentPageLayout = "flat" | "folder" | "folder-with-code";

export function contentPageLayoutOf(site: SiteFolder): ContentPageLayout {
  for (const rf of site.recordFiles) {
    const nested = /\/content-pages\/([^/]+)\/([^/]+)$/.exec(rf.file);
    if (rf.kind !== "webpage" || !nested) continue;
    return nested[2]?.includes(`.${nested[1]}.`) ? "folder-with-code" : "folder";
  }
  return "flat";
}

/** Path of a content page file in that layout: (`web-pages/p/content-pages`, `P`, `fr-FR`). */
export function contentPageFileOf(
  layout: ContentPageLayout,
  folder: string,
  stem: string,
  code: string,
): string {
  if (layout === "flat") return `${folder}/${stem}.${code}.webpage.yml`;
  return `${folder}/${code}/${stem}${layout === "folder-with-code" ? `.${code}` : ""}.webpage.yml`;
}
