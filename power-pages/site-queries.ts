// Small look-ups over a loaded site folder that the build, the validator and the preview share.

import type { Language, PublishingState, SiteFolder, WebPage } from "./types";

/** The publishing state named `Published` (case-insensitive), or null. */
export function findPublishedState(site: SiteFolder): PublishingState | null {
  return site.publishingStates.find((s) => s.name.toLowerCase() === "published" && isLive(s.data)) ?? null;
}

/** The Home root page: a root web page with partial URL `/` and no parent, or null. */
export function findHomePage(site: SiteFolder): WebPage | null {
  return site.webPages.find((p) => p.partialUrl === "/" && p.parentPageId === null && isLive(p.data)) ?? null;
}

/** Website languages that joined to a portal language (so they have a language code). */
export function findLanguages(site: SiteFolder): Array<Language & { code: string }> {
  return site.languages.filter((l): l is Language & { code: string } => l.code !== null);
}

/** The site-relative URL of a root page: its partial URLs and its parents', joined by `/`. */
export function pageUrlOf(site: SiteFolder, page: WebPage): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  let current: WebPage | undefined = page;
  while (current && current.partialUrl !== "/" && !seen.has(current.id)) {
    seen.add(current.id);
    parts.unshift(current.partialUrl ?? "");
    const parentId: string | null = current.parentPageId;
    current = parentId === null ? undefined : site.webPages.find((p) => p.id === parentId);
  }
  return `/${parts.join("/")}${parts.length > 0 ? "/" : ""}`;
}

/** False for records a download marks as deleted in the studio (`statecode: 1`). */
function isLive(data: Record<string, unknown>): boolean {
  return data.statecode !== 1;
}
