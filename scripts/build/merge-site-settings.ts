// Upserts the kit's site settings into sitesetting.yml at the text level: items already in the file
// keep their exact bytes, an item with one of our ids is replaced in place, new items go at the end.

import { formatRecordItem, formatRecordList, parseRecordYaml } from "../../power-pages";
import type { RecordData } from "../../power-pages";

/**
 * @param existing current text of sitesetting.yml, or null when the file does not exist
 * @param records our settings, already in the folder's key style
 * @param idKey the primary-key column in that style (`adx_sitesettingid` or `id`)
 */
export function mergeSiteSettings(
  existing: string | null,
  records: readonly RecordData[],
  idKey: string,
): string {
  if (existing === null || existing.trim() === "" || existing.trim() === "[]")
    return formatRecordList(records);
  const chunks = splitItems(existing);
  if (chunks === null) return rewriteAll(existing, records, idKey);
  const pending = new Map(records.map((r) => [String(r[idKey]), r]));
  const items = chunks.items.map((chunk) => {
    const id = idOfChunk(chunk, idKey);
    const ours = id === null ? undefined : pending.get(id);
    if (!ours || id === null) return chunk;
    pending.delete(id);
    return `${formatRecordItem(ours)}\n`;
  });
  let text = chunks.prefix + items.join("");
  if (pending.size > 0) {
    if (!text.endsWith("\n")) text += "\n";
    text += [...pending.values()].map((r) => `${formatRecordItem(r)}\n`).join("");
  }
  return text;
}

/**
 * Takes the items whose id is in `ids` (lower-case) out of a list file; other items keep their
 * bytes. The id is looked up under both spellings: a list is not always in website.yml's style.
 */
export function removeSiteSettings(existing: string, ids: ReadonlySet<string>): string {
  const isOurs = (record: RecordData | undefined): boolean => {
    const id = record?.adx_sitesettingid ?? record?.id;
    return id !== undefined && id !== null && ids.has(String(id).toLowerCase());
  };
  const chunks = splitItems(existing);
  if (chunks === null) {
    const current = parseRecordYaml(existing, "sitesetting.yml").records;
    return current.some(isOurs) ? formatRecordList(current.filter((r) => !isOurs(r))) : existing;
  }
  const kept = chunks.items.filter((chunk) => !isOurs(parseRecordYaml(chunk, "sitesetting.yml").records[0]));
  if (kept.length === chunks.items.length) return existing;
  return kept.length === 0 && chunks.prefix.trim() === "" ? "[]\n" : chunks.prefix + kept.join("");
}

/** Splits a pac list file into the text before the first item and one chunk per `- ` item; null when the layout is not the usual one. */
function splitItems(text: string): { prefix: string; items: string[] } | null {
  const lines = text.split(/(?<=\n)/);
  const starts: number[] = [];
  lines.forEach((line, index) => {
    if (line.startsWith("- ")) starts.push(index);
  });
  if (starts.length === 0) return null;
  const first = starts[0] ?? 0;
  const prefix = lines.slice(0, first).join("");
  if (
    prefix.trim() !== "" &&
    !prefix.split("\n").every((l) => l.trim() === "" || l.trimStart().startsWith("#"))
  )
    return null;
  const items = starts.map((start, i) => lines.slice(start, starts[i + 1] ?? lines.length).join(""));
  for (const item of items) {
    try {
      if (parseRecordYaml(item, "sitesetting.yml").records.length !== 1) return null;
    } catch {
      return null;
    }
  }
  return { prefix, items };
}

function idOfChunk(chunk: string, idKey: string): string | null {
  const record = parseRecordYaml(chunk, "sitesetting.yml").records[0];
  const id = record?.[idKey];
  return id === undefined || id === null ? null : String(id);
}

/** Fallback for unusual layouts: parse everything and write it back in pac style. */
function rewriteAll(existing: string, records: readonly RecordData[], idKey: string): string {
  const current = parseRecordYaml(existing, "sitesetting.yml").records;
  const byId = new Map(records.map((r) => [String(r[idKey]), r]));
  const merged = current.map((r) => {
    const ours = byId.get(String(r[idKey]));
    if (ours) byId.delete(String(r[idKey]));
    return ours ?? r;
  });
  return formatRecordList([...merged, ...byId.values()]);
}
