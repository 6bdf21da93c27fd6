// Partial URL rules. The kit's own page keeps to letters, digits, `_` and `-`, 1 to 100 characters.
// Pages already in a site are held to what Power Pages refuses (`/ ? # ! %`, spaces, empty, over 100)
// as errors; other characters (`.`) only warn, and letters of any script (`お問合せ`) are fine.

import { PARTIAL_URL_MAX } from "./record-limits";

const PARTIAL_URL_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Returns what is wrong with a partial URL, or null when it is fine. */
export function checkPartialUrl(value: string): string | null {
  if (value.length === 0) return "is empty";
  if (value.length > PARTIAL_URL_MAX)
    return `is ${value.length} characters long (at most ${PARTIAL_URL_MAX})`;
  if (!PARTIAL_URL_PATTERN.test(value)) return "may only hold letters, digits, `_` and `-`";
  return null;
}

const SITE_FORBIDDEN = /[/?#!%\s]/u;
const SITE_PLAIN = /^[\p{L}\p{N}_-]+$/u;

/** What is wrong with the partial URL of a page already in a site, and how much it matters; null when fine. */
export function checkSitePartialUrl(value: string): { severity: "error" | "warning"; reason: string } | null {
  if (value.length === 0) return { severity: "error", reason: "is empty" };
  if (value.length > PARTIAL_URL_MAX)
    return { severity: "error", reason: `is ${value.length} characters long (at most ${PARTIAL_URL_MAX})` };
  if (SITE_FORBIDDEN.test(value))
    return { severity: "error", reason: "holds a character Power Pages refuses (`/ ? # ! %` or a space)" };
  if (!SITE_PLAIN.test(value))
    return {
      severity: "warning",
      reason: "holds characters other than letters, digits, `_` and `-`; links to it need encoding",
    };
  return null;
}
