// Power Pages string filters liquidjs lacks: text_to_html and truncate_words.
import type { FilterImplOptions } from "liquidjs";
import { encodeHtml } from "../values";

/** Encodes plain text as HTML: paragraphs on blank lines, <br /> on single breaks, links for URLs. */
function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== "");
  return paragraphs
    .map((paragraph) => {
      const encoded = encodeHtml(paragraph.trim()).replace(
        /\b(https?:\/\/[^\s<]+[^\s<.,;:!?)])/g,
        (url) => `<a href="${url}">${url}</a>`,
      );
      return `<p>${encoded.replace(/\n/g, "<br />\n")}</p>`;
    })
    .join("\n");
}

export const stringFilters: Record<string, FilterImplOptions> = {
  text_to_html(value: unknown) {
    return value === null || value === undefined ? value : textToHtml(String(value));
  },
  truncate_words(value: unknown, count: unknown = 15, ellipsis: unknown = "...") {
    if (value === null || value === undefined) return value;
    const words = String(value)
      .split(/\s+/)
      .filter((w) => w !== "");
    const n = Math.max(1, Math.trunc(Number(count)) || 1);
    return words.length <= n ? words.join(" ") : `${words.slice(0, n).join(" ")}${String(ellipsis)}`;
  },
};
