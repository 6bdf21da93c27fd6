// Parse and write the YAML of pac record files. pac writes one record as a flat map, or several as a
// list of flat maps, keys in alphabetical order, an unset lookup as a bare `key:`. Writing the same
// way keeps our emitted files indistinguishable from a download and byte-stable across runs.

import { parse } from "yaml";
import { SiteFolderError } from "./errors";
import type { RecordData, RecordValue } from "./types";

/** Parses a record file; returns the records it holds (a map file gives one, a list file gives each item). */
export function parseRecordYaml(
  text: string,
  file: string,
): { shape: "map" | "list"; records: RecordData[] } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new SiteFolderError(
      "RECORD_FILE_INVALID",
      `${file}: not valid YAML (${(cause as Error).message}). Fix the file or download the site again.`,
      { file, cause },
    );
  }
  if (doc === null || doc === undefined) return { shape: "list", records: [] };
  if (Array.isArray(doc)) {
    const records = doc.map((item, index) => toRecord(item, `${file} item ${index + 1}`, file));
    return { shape: "list", records };
  }
  return { shape: "map", records: [toRecord(doc, file, file)] };
}

function toRecord(value: unknown, where: string, file: string): RecordData {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SiteFolderError(
      "RECORD_FILE_INVALID",
      `${where}: expected a map of columns, got ${Array.isArray(value) ? "a list" : typeof value}.`,
      { file },
    );
  }
  const out: RecordData = {};
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    if (raw === null || typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") {
      out[key] = raw;
    } else {
      out[key] = JSON.stringify(raw);
    }
  }
  return out;
}

/** Writes one record as a pac map file (keys sorted, trailing newline). */
export function formatRecordMap(record: RecordData): string {
  return formatLines(record, "", "").join("\n") + "\n";
}

/** Writes records as a pac list file (`- key: value` items, keys sorted, trailing newline). */
export function formatRecordList(records: readonly RecordData[]): string {
  if (records.length === 0) return "[]\n";
  return records.map((record) => formatRecordItem(record)).join("\n") + "\n";
}

/** Writes one list item (no trailing newline), as it appears inside a list file. */
export function formatRecordItem(record: RecordData): string {
  return formatLines(record, "- ", "  ").join("\n");
}

function formatLines(record: RecordData, first: string, rest: string): string[] {
  return Object.keys(record)
    .sort()
    .map((key, index) => {
      const text = formatScalar(record[key] ?? null);
      return `${index === 0 ? first : rest}${key}:${text === "" ? "" : ` ${text}`}`;
    });
}

const PLAIN_SAFE = /^[\p{L}\p{N}_][\p{L}\p{N} _./()@,+-]*$/u;

/** One scalar in YAML: plain when it reads back as the same string, double-quoted otherwise. */
export function formatScalar(value: RecordValue): string {
  if (value === null) return "";
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (PLAIN_SAFE.test(value) && !value.endsWith(" ") && readsBackAsString(value)) return value;
  return JSON.stringify(value);
}

function readsBackAsString(value: string): boolean {
  try {
    return parse(value) === value;
  } catch {
    return false;
  }
}
