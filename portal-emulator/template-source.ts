// Source-level adjustments made before liquidjs parses a Power Pages template.

/** DotLiquid accepts `elseif`; liquidjs only knows `elsif`. Rewrites the tag name, nothing else. */
export function rewriteElseif(source: string): string {
  return source.replace(/(\{%-?\s*)elseif\b/g, "$1elsif");
}
