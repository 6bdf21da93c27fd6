// The registry of message catalogues, keyed by primary language subtag. To add a language, write
// messages/<code>.ts (same keys as en.ts; the compiler and test/gateway-client/messages.test.ts
// check it) and list it here.
import type { Catalogue, MessageKey } from "./en";
import en from "./en";
import fr from "./fr";

export type { Catalogue, MessageKey };

export const catalogues: Readonly<Record<string, Catalogue>> = { en, fr };

/** Picks the catalogue for a BCP 47 tag: exact tag, then primary subtag, then English. */
export function pickCatalogue(locale: string): Catalogue {
  const tag = locale.toLowerCase();
  return catalogues[tag] ?? catalogues[tag.split("-")[0] ?? ""] ?? en;
}

/** Fills {name} placeholders; an unknown placeholder is left as written so a gap is visible. */
export function formatMessage(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}
