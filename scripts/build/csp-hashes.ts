// Content-Security-Policy hashes of the inline <script> and <style> elements of a rendered template,
// computed over the exact text the browser will see, so a strict policy can allow exactly them.

import { createHash } from "node:crypto";
import { findRawRegions, holdsLiquidMarkup, isInsideRaw } from "./runtime-raw";

export interface InlineHashes {
  scripts: string[];
  styles: string[];
  /** Inline elements whose text holds runtime Liquid, so their final bytes are only known on the portal. */
  unhashable: string[];
}

const RAW_WRAPPED = /^\{%-?\s*raw\s*-?%\}([\s\S]*)\{%-?\s*endraw\s*-?%\}$/;

/** `'sha256-<base64>'` of a text, in the form a CSP source list takes. */
function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

export function hashInlineElements(html: string): InlineHashes {
  const out: InlineHashes = { scripts: [], styles: [], unhashable: [] };
  const regions = findRawRegions(html);
  const element = /<(script|style)(\s[^>]*)?>([\s\S]*?)<\/\1\s*>/gi;
  for (const match of html.matchAll(element)) {
    const tag = (match[1] ?? "").toLowerCase();
    const attributes = match[2] ?? "";
    let body = match[3] ?? "";
    if (tag === "script" && /\ssrc\s*=/i.test(attributes)) continue;
    const raw = RAW_WRAPPED.exec(body);
    const verbatim = isInsideRaw(regions, match.index, match.index + match[0].length);
    if (raw) body = raw[1] ?? "";
    else if (!verbatim && holdsLiquidMarkup(body)) {
      out.unhashable.push(`<${tag}> at offset ${match.index}`);
      continue;
    }
    (tag === "script" ? out.scripts : out.styles).push(cspHash(body));
  }
  return out;
}

/** Policy sources to add to the site's own script-src and style-src directives. */
export function formatCspDirectives(hashes: InlineHashes): string {
  return [
    `script-src ${hashes.scripts.join(" ")}`.trimEnd(),
    `style-src ${hashes.styles.join(" ")}`.trimEnd(),
  ].join("; ");
}
