// URL filters: add_query, remove_query and the parts (base, host, path, path_and_query, port, scheme).
// Relative URLs stay relative.
import type { FilterImplOptions } from "liquidjs";

const placeholderOrigin = "http://relative.invalid";

function parse(value: unknown): URL | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    return new URL(String(value), placeholderOrigin);
  } catch {
    return undefined;
  }
}

function isAbsolute(value: unknown): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(String(value));
}

function serialize(url: URL, original: unknown): string {
  return isAbsolute(original) ? url.href : `${url.pathname}${url.search}${url.hash}`;
}

export const urlFilters: Record<string, FilterImplOptions> = {
  add_query(value: unknown, name: unknown, parameter: unknown) {
    const url = parse(value);
    if (!url) return value;
    url.searchParams.set(
      String(name),
      parameter === null || parameter === undefined ? "" : String(parameter),
    );
    return serialize(url, value);
  },
  remove_query(value: unknown, name: unknown) {
    const url = parse(value);
    if (!url) return value;
    url.searchParams.delete(String(name));
    return serialize(url, value);
  },
  base(value: unknown) {
    const url = parse(value);
    return url && isAbsolute(value) ? url.origin : null;
  },
  host(value: unknown) {
    const url = parse(value);
    return url && isAbsolute(value) ? url.hostname : null;
  },
  path(value: unknown) {
    return parse(value)?.pathname ?? null;
  },
  path_and_query(value: unknown) {
    const url = parse(value);
    return url ? `${url.pathname}${url.search}` : null;
  },
  port(value: unknown) {
    const url = parse(value);
    if (!url || !isAbsolute(value)) return null;
    if (url.port !== "") return Number(url.port);
    return url.protocol === "https:" ? 443 : url.protocol === "http:" ? 80 : null;
  },
  scheme(value: unknown) {
    const url = parse(value);
    return url && isAbsolute(value) ? url.protocol.replace(/:$/, "") : null;
  },
};
