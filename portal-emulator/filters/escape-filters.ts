// HTML/URL escaping: `h` (alias of escape), url_escape, and html_safe_escape, which keeps a small
// set of harmless tags and attributes and drops scripts, event handlers and javascript: URLs.
import type { FilterImplOptions } from "liquidjs";
import { encodeHtml } from "../values";

const safeTags = new Set([
  "a",
  "abbr",
  "b",
  "blockquote",
  "br",
  "code",
  "div",
  "em",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "i",
  "img",
  "li",
  "ol",
  "p",
  "pre",
  "small",
  "span",
  "strong",
  "sub",
  "sup",
  "table",
  "tbody",
  "td",
  "th",
  "thead",
  "tr",
  "u",
  "ul",
]);
const safeAttributes = new Set([
  "href",
  "src",
  "alt",
  "title",
  "class",
  "id",
  "colspan",
  "rowspan",
  "target",
  "rel",
]);
const xmlEntities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};
const droppedWithContent = /<(script|style|iframe|object|embed|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

function cleanAttributes(attributes: string): string {
  const kept: string[] = [];
  const pattern = /([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g;
  for (const match of attributes.matchAll(pattern)) {
    const name = (match[1] ?? "").toLowerCase();
    if (!safeAttributes.has(name)) continue;
    const raw = (match[2] ?? "").replace(/^["']|["']$/g, "");
    if ((name === "href" || name === "src") && !/^(https?:|mailto:|\/|#|[\w-]+(\/|$))/i.test(raw.trim()))
      continue;
    kept.push(` ${name}="${encodeHtml(raw)}"`);
  }
  return kept.join("");
}

/** Keeps harmless markup, removes the rest (tags dropped, their text kept). */
function sanitizeHtml(html: string): string {
  return html
    .replace(droppedWithContent, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g, (tag, name: string, attributes: string) => {
      const lower = name.toLowerCase();
      if (!safeTags.has(lower)) return "";
      if (tag.startsWith("</")) return `</${lower}>`;
      const selfClosing = /\/\s*$/.test(attributes);
      return `<${lower}${cleanAttributes(attributes.replace(/\/\s*$/, ""))}${selfClosing ? " /" : ""}>`;
    });
}

export const escapeFilters: Record<string, FilterImplOptions> = {
  h(value: unknown) {
    return value === null || value === undefined ? value : encodeHtml(String(value));
  },
  html_safe_escape(value: unknown) {
    return value === null || value === undefined ? value : sanitizeHtml(String(value));
  },
  xml_escape(value: unknown) {
    if (value === null || value === undefined) return value;
    return String(value).replace(/[&<>"']/g, (c) => xmlEntities[c] ?? c);
  },
  url_escape(value: unknown) {
    return value === null || value === undefined ? value : encodeURIComponent(String(value));
  },
};
