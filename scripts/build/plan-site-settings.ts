// Plans the kit's site settings into a site the way that site keeps its settings table: merged into
// the root `sitesetting.yml` list, or one `site-settings/<Name>.sitesetting.yml` file each. In the
// per-record layout our items are also taken out of a root list an earlier build left behind, so
// after the next download no setting id exists twice.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  formatRecordMap,
  listFileOf,
  perRecordFileOf,
  primaryKeyOf,
  styleRecord,
  tableLayoutOf,
  toStyledKey,
} from "../../power-pages";
import type { RecordData, SiteFolder } from "../../power-pages";
import type { PlannedFile } from "./apply-files";
import { mergeSiteSettings, removeSiteSettings } from "./merge-site-settings";

const KIND = "sitesetting";

/** @param records our settings with `adx_` keys */
export function planSiteSettings(site: SiteFolder, records: readonly RecordData[]): PlannedFile[] {
  const style = site.keyStyle;
  const idKey = toStyledKey(style, KIND, primaryKeyOf(KIND));
  const styled = records.map((r) => styleRecord(style, KIND, r));
  const listFile = listFileOf(KIND);
  const listPath = join(site.root, listFile);
  const listText = existsSync(listPath) ? readFileSync(listPath, "utf8") : null;
  if (tableLayoutOf(site, KIND) === "list")
    return [{ path: listFile, content: mergeSiteSettings(listText, styled, idKey) }];

  const files: PlannedFile[] = [];
  records.forEach((record, index) => {
    const id = String(record[primaryKeyOf(KIND)]).toLowerCase();
    const existing = site.recordFiles.find(
      (rf) =>
        rf.kind === KIND &&
        rf.shape === "map" &&
        String(rf.records[0]?.[primaryKeyOf(KIND)]).toLowerCase() === id,
    );
    // A file pac wrote with the same columns keeps pac's own bytes.
    if (existing?.records[0] && sameColumns(existing.records[0], record)) return;
    files.push({
      path: existing?.file ?? perRecordFileOf(site, KIND, String(record.adx_name)),
      content: formatRecordMap(styled[index]!),
    });
  });
  const ids = new Set(styled.map((r) => String(r[idKey]).toLowerCase()));
  if (listText !== null) {
    const pruned = removeSiteSettings(listText, ids);
    if (pruned !== listText) files.push({ path: listFile, content: pruned });
  }
  return files;
}

function sameColumns(a: RecordData, b: RecordData): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => key in b && String(a[key] ?? "") === String(b[key] ?? ""))
  );
}
