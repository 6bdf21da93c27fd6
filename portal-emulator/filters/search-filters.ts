// Filters the stock Search and Knowledge templates use. The preview has no search index and no
// knowledge base, so the knowledge filters trim whatever list they are given (empty unless the
// fixtures provide one) instead of querying; the shapes follow the stock templates (INFERRED).
import type { FilterImplOptions } from "liquidjs";
import { readProperty, toArray } from "../values";

/** The first `count` items of a list (all when count is not a positive number). */
function firstOf(value: unknown, count: unknown): unknown[] {
  const items = toArray(value);
  const n = Math.trunc(Number(count));
  return Number.isFinite(n) && n > 0 ? items.slice(0, n) : items;
}

export const searchFilters: Record<string, FilterImplOptions> = {
  /**
   * `settings['Search/Filters'] | search_filter_options`: the setting lists options as
   * `Label:logicalname,logicalname;Label:…`; each becomes `{ display_name, value }`.
   */
  search_filter_options(value: unknown) {
    if (typeof value !== "string" || value.trim() === "") return [];
    return value
      .split(";")
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map((part) => {
        const colon = part.indexOf(":");
        const label = colon < 0 ? part : part.slice(0, colon);
        return { display_name: label.trim(), value: colon < 0 ? part : part.slice(colon + 1).trim() };
      });
  },
  popular: firstOf,
  recent: firstOf,
  top: firstOf,
  top_level: firstOf,
  related: firstOf,
  /** `knowledge.categories | category_number: 'CAT-01001'`: the category with that number, or null. */
  category_number(value: unknown, number: unknown) {
    const wanted = String(number ?? "").toLowerCase();
    return (
      toArray(value).find((item) => {
        const own = readProperty(item, "categorynumber") ?? readProperty(item, "category_number");
        return String(own ?? "").toLowerCase() === wanted;
      }) ?? null
    );
  },
};
