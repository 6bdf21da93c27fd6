// The two key styles a pac site folder can use, and the translation between them.
//
// Downloads we have seen write Dataverse logical names with the `adx_` prefix (`adx_name`,
// `adx_webpageid`). Newer folders may use bare keys: the primary key as `id` and the other columns
// without the prefix (`name`, `partialurl`). The bare mapping is INFERRED, so it lives only here:
// everything else in the kit works on `adx_` keys and converts at the edges.

import { SiteFolderError } from "./errors";
import type { RecordData } from "./types";

export type KeyStyle = "adx" | "bare";

/** Columns that carry no `adx_` prefix even in `adx_`-style folders; left alone in both directions. */
const UNPREFIXED_COLUMNS = new Set([
  "statecode",
  "statuscode",
  "annotationid",
  "filename",
  "mimetype",
  "documentbody",
  "filesize",
  "objecttypecode",
]);

/** The primary key column of a record kind, e.g. `webpage` → `adx_webpageid`. */
export function primaryKeyOf(kind: string): string {
  return `adx_${kind}id`;
}

/** Reads the style from the website record: `adx_websiteid` means prefixed keys, `id` means bare keys. */
export function detectKeyStyle(website: Record<string, unknown>, file: string, text = ""): KeyStyle {
  if (keyStyleOfRecord(website) === "mixed") {
    const adx = formatLineRanges(linesWithKeyStyle(text, "adx"));
    const bare = formatLineRanges(linesWithKeyStyle(text, "bare"));
    throw new SiteFolderError(
      "KEY_STYLE_MIXED",
      `This folder mixes adx_ and bare keys: website.yml lines ${adx} (adx_) and lines ${bare} (bare). ` +
        "pac writes one style per download: download the site again, or rewrite website.yml in one style.",
      { file },
    );
  }
  if ("adx_websiteid" in website) return "adx";
  if ("id" in website) return "bare";
  throw new SiteFolderError(
    "KEY_STYLE_UNKNOWN",
    `${file}: found neither \`adx_websiteid\` nor \`id\`, so the key style of this site folder is unknown. ` +
      "Download the site again with `pac pages download` and do not edit website.yml by hand.",
    { file },
  );
}

/** Converts one record as found on disk to `adx_` keys. */
export function normalizeRecord(style: KeyStyle, kind: string, record: RecordData): RecordData {
  if (style === "adx") return { ...record };
  const out: RecordData = {};
  for (const [key, value] of Object.entries(record)) {
    out[toAdxKey(kind, key)] = value;
  }
  return out;
}

/** Converts one record with `adx_` keys to the style of the folder it will be written into. */
export function styleRecord(style: KeyStyle, kind: string, record: RecordData): RecordData {
  if (style === "adx") return { ...record };
  const out: RecordData = {};
  for (const [key, value] of Object.entries(record)) {
    out[toStyledKey(style, kind, key)] = value;
  }
  return out;
}

/** The on-disk spelling of one `adx_` column in the given style. */
export function toStyledKey(style: KeyStyle, kind: string, adxKey: string): string {
  if (style === "adx" || UNPREFIXED_COLUMNS.has(adxKey)) return adxKey;
  if (adxKey === primaryKeyOf(kind)) return "id";
  return adxKey.startsWith("adx_") ? adxKey.slice(4) : adxKey;
}

function toAdxKey(kind: string, key: string): string {
  if (key === "id") return primaryKeyOf(kind);
  if (key.startsWith("adx_") || UNPREFIXED_COLUMNS.has(key)) return key;
  return `adx_${key}`;
}

/**
 * Bare spellings of the Power Pages columns the kit reads. Only these mark a record as bare-keyed:
 * downloads in the adx_ style also carry unprefixed Dataverse system columns
 * (`importsequencenumber`, `timezoneruleversionnumber`, `objectid`, …) that belong to neither style.
 */
const BARE_MARKERS = new Set([
  "id",
  "name",
  "value",
  "title",
  "partialurl",
  "isroot",
  "parentpageid",
  "rootwebpageid",
  "pagetemplateid",
  "publishingstateid",
  "webtemplateid",
  "webpagelanguageid",
  "defaultlanguage",
  "headerwebtemplateid",
  "footerwebtemplateid",
  "portallanguageid",
  "websitelanguageid",
  "languagecode",
  "usewebsiteheaderandfooter",
  "rewriteurl",
]);

function isStyledKey(key: string, style: KeyStyle): boolean {
  return style === "adx" ? key.startsWith("adx_") : BARE_MARKERS.has(key);
}

/** The style one record's own keys show: "none" when no key tells (only columns both styles share). */
export function keyStyleOfRecord(record: Record<string, unknown>): KeyStyle | "mixed" | "none" {
  const keys = Object.keys(record);
  const adx = keys.some((key) => isStyledKey(key, "adx"));
  const bare = keys.some((key) => isStyledKey(key, "bare"));
  if (adx && bare) return "mixed";
  return adx ? "adx" : bare ? "bare" : "none";
}

/** Line numbers (1-based) of the keys of a record file that are written in `style`. */
export function linesWithKeyStyle(text: string, style: KeyStyle): number[] {
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const key = /^(?:- )?\s*([A-Za-z_][\w.]*)\s*:/.exec(line)?.[1];
    if (key !== undefined && isStyledKey(key, style)) lines.push(index + 1);
  });
  return lines;
}

/** "1-2, 5": consecutive line numbers folded into ranges. */
export function formatLineRanges(lines: readonly number[]): string {
  const ranges: string[] = [];
  let start = lines[0];
  let end = start;
  for (const line of [...lines.slice(1), undefined]) {
    if (line !== undefined && end !== undefined && line === end + 1) {
      end = line;
      continue;
    }
    if (start !== undefined) ranges.push(start === end ? String(start) : `${start}-${end}`);
    start = line;
    end = line;
  }
  return ranges.join(", ");
}
