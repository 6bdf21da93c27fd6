// Partial URL rule shared by the build and the validator: letters, digits, `_` and `-`, 1 to 100
// characters (Home alone uses `/`).

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
