// HTML escaping for every page the kit writes itself (event site, provider pages, status page,
// preview errors, the Dataverse stand-in's $metadata XML): text and attribute values alike, so
// data never becomes markup.

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** null and undefined become "". */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
