// Puts the Power Pages filter set on a liquidjs instance: adds the portal's own filters, replaces
// the ones whose behaviour differs (date, default, group_by), and by default removes liquidjs-only
// filters so a template that would fail on the portal also fails here.
import type { Liquid } from "liquidjs";
import { arrayFilters } from "./array-filters";
import { dateFilters } from "./date-filters";
import { escapeFilters } from "./escape-filters";
import { listFilters } from "./list-filters";
import { miscFilters } from "./misc-filters";
import { searchFilters } from "./search-filters";
import { stringFilters } from "./string-filters";
import { typeFilters } from "./type-filters";
import { urlFilters } from "./url-filters";

/** liquidjs filters that DotLiquid (the portal's engine) also has; every other liquidjs filter is removed. */
const sharedWithDotLiquid = new Set([
  "abs",
  "append",
  "at_least",
  "at_most",
  "capitalize",
  "ceil",
  "compact",
  "concat",
  "divided_by",
  "downcase",
  "escape",
  "escape_once",
  "first",
  "floor",
  "join",
  "last",
  "lstrip",
  "map",
  "minus",
  "modulo",
  "newline_to_br",
  "plus",
  "prepend",
  "remove",
  "remove_first",
  "replace",
  "replace_first",
  "reverse",
  "round",
  "rstrip",
  "size",
  "slice",
  "sort",
  "split",
  "strip",
  "strip_html",
  "strip_newlines",
  "times",
  "truncate",
  "truncatewords",
  "uniq",
  "upcase",
  "url_decode",
  "url_encode",
  "where",
  "xml_escape",
]);

const powerPagesFilters = {
  ...arrayFilters,
  ...dateFilters,
  ...escapeFilters,
  ...listFilters,
  ...miscFilters,
  ...searchFilters,
  ...stringFilters,
  ...typeFilters,
  ...urlFilters,
};

export function registerPowerPagesFilters(
  liquid: Liquid,
  options: { keepLiquidjsOnlyFilters?: boolean } = {},
): void {
  if (!options.keepLiquidjsOnlyFilters) {
    for (const name of Object.keys(liquid.filters)) {
      if (!sharedWithDotLiquid.has(name)) liquid.unregisterFilter(name);
    }
  }
  for (const [name, impl] of Object.entries(powerPagesFilters)) liquid.registerFilter(name, impl);
}
