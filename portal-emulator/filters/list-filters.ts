// Entity-list helpers: current_sort, reverse_sort and metafilters. metafilters only parses the
// filter definition into objects; the portal's full metadata-filter form is not emulated.
import type { FilterImplOptions } from "liquidjs";

export const listFilters: Record<string, FilterImplOptions> = {
  current_sort(value: unknown, attribute: unknown) {
    if (typeof value !== "string") return null;
    const wanted = String(attribute).toLowerCase();
    for (const part of value.split(",")) {
      const [name, direction] = part.trim().split(/\s+/);
      if (name?.toLowerCase() === wanted) return (direction ?? "ASC").toUpperCase();
    }
    return null;
  },
  reverse_sort(value: unknown) {
    if (typeof value !== "string") return value;
    return value.trim().toUpperCase() === "DESC" ? "ASC" : "DESC";
  },
  metafilters(value: unknown) {
    if (Array.isArray(value)) return value;
    if (typeof value !== "string" || value.trim() === "") return [];
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      return [];
    }
  },
};
