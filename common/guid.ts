// GUIDs as Dataverse writes them: lower case, no braces. What arrives (a query string, a JSON body,
// a column, a command-line flag, an OData key) may carry braces, upper case or spaces; every reader
// in the kit goes through normalizeGuid, or isGuid where the text must already be bare.

/** A bare lower-case GUID. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The bare lower-case form of `value`, or null when it is not a GUID ("{3F25…}" → "3f25…"). */
export function normalizeGuid(value: string): string | null {
  const id = value
    .trim()
    .replace(/^\{(.*)\}$/, "$1")
    .toLowerCase();
  return GUID_PATTERN.test(id) ? id : null;
}

/** True when `value` is a bare GUID in either case: no braces, no spaces. */
export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value.toLowerCase());
}
