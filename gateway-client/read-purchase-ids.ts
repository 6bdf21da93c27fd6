// Finds the purchase id and the readable event id the event site handed over (spec §1 step 5,
// checklist items 5-7). The query string's parameter names are not documented, so several
// spellings are accepted, in any case.

export type PurchaseIds =
  | { ok: true; purchaseId: string; readableEventId: string; fromQuery: boolean }
  | { ok: false; reason: "missing" | "invalid"; readableEventId: string | null };

const PURCHASE_ID_NAMES = ["purchaseid", "purchase-id", "purchase_id"];
const READABLE_ID_NAMES = ["id", "readableeventid", "event"];
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const SESSION_KEY = "purchase-id";

/** Lower-case bare GUID, or null. Braces are allowed only as a matching pair. */
export function normalizeGuid(raw: string): string | null {
  const value = raw.trim();
  const match = GUID.exec(value);
  if (!match?.[1]) return null;
  if (value.startsWith("{") !== value.endsWith("}")) return null;
  return match[1].toLowerCase();
}

/** The first non-empty query parameter whose name (any case) is one of `names`, in that order. */
function findParam(params: URLSearchParams, names: string[]): string | null {
  for (const name of names) {
    for (const [key, value] of params) {
      if (key.toLowerCase() === name && value.trim() !== "") return value.trim();
    }
  }
  return null;
}

function readSession(storage: Pick<Storage, "getItem"> | null): string | null {
  try {
    return storage?.getItem(SESSION_KEY) ?? null;
  } catch {
    return null; // storage disabled (privacy settings): behave as if empty
  }
}

/**
 * Reads the ids from the page URL, falling back to sessionStorage['purchase-id'] for the purchase
 * id only. A purchase id present but malformed is refused, not replaced by the stored one. The
 * event site's sessionStorage `total` and `currency` are never read.
 */
export function readPurchaseIds(href: string, storage: Pick<Storage, "getItem"> | null): PurchaseIds {
  const params = new URL(href).searchParams;
  const rawRid = findParam(params, READABLE_ID_NAMES);
  const readableEventId = rawRid && rawRid.length <= 200 ? rawRid : null;
  const fromQuery = findParam(params, PURCHASE_ID_NAMES);
  const raw = fromQuery ?? readSession(storage);
  if (raw === null || raw.trim() === "") return { ok: false, reason: "missing", readableEventId };
  const purchaseId = normalizeGuid(raw);
  if (!purchaseId) return { ok: false, reason: "invalid", readableEventId };
  if (!readableEventId) return { ok: false, reason: "missing", readableEventId };
  return { ok: true, purchaseId, readableEventId, fromQuery: fromQuery !== null };
}
