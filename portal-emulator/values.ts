// Small conversions shared by filters, tags and objects: HTML encoding, dates, property lookup,
// and the culture of the page being rendered.
import type { Context } from "liquidjs";
import { formatDotNetDate } from "./dotnet-date-format";

/** HTML-encodes text the way the portal encodes `user` and `request` values. */
export function encodeHtml(text: string): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** A Date whose text form is the .NET general format of its culture, as DotLiquid prints DateTime. */
export class PortalDate extends Date {
  culture = "en-US";
  override toString(): string {
    return formatDotNetDate(this, "G", this.culture);
  }
}

/** Makes a Date from a Date, a timestamp, an ISO string or "now"/"today"; undefined when impossible. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") {
    const text = value.trim();
    if (text === "") return undefined;
    if (/^(now|today)$/i.test(text)) return new Date();
    const parsed = new Date(text);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  }
  return undefined;
}

/** Reads `name` from an object, falling back to a case-insensitive match as DotLiquid does. */
export function readProperty(item: unknown, name: string): unknown {
  if (item === null || typeof item !== "object") return undefined;
  const record = item as Record<string, unknown>;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

/** The language code (`en-US`) of the page being rendered, from the `language` object in scope. */
export function cultureOf(context: Context): string {
  const code = context.getSync(["language", "code"]);
  return typeof code === "string" && code !== "" ? code : "en-US";
}

/** Turns anything list-like into an array (null → empty, a single value → one element). */
export function toArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [value];
  if (typeof value === "object" && Symbol.iterator in value) return [...(value as Iterable<unknown>)];
  return [value];
}

/**
 * A name-keyed object whose look-ups ignore case, as the portal's settings and snippets do (stock
 * templates read `settings['search/filters']` for the `Search/Filters` setting). The exact name wins.
 */
export function withCaseInsensitiveNames<V>(record: Record<string, V>): Record<string, V> {
  const byLower = new Map<string, string>();
  for (const name of Object.keys(record))
    if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  const nameOf = (key: string | symbol): string | symbol =>
    typeof key !== "string" || Object.hasOwn(record, key) ? key : (byLower.get(key.toLowerCase()) ?? key);
  return new Proxy(record, {
    get: (target, key) => Reflect.get(target, nameOf(key)),
    has: (target, key) => Reflect.has(target, nameOf(key)),
    getOwnPropertyDescriptor: (target, key) => Reflect.getOwnPropertyDescriptor(target, nameOf(key)),
  });
}
