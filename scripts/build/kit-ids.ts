// Deterministic record ids: UUID v5 under the kit's own namespace, over the website id, the record
// kind, the record name and (for per-language records) the language code. The same inputs give the
// same id on every run, so a rebuild updates the records instead of adding duplicates.

import { v5 as uuidv5 } from "uuid";

/** Namespace of every id the kit derives. Never change it: existing sites would get new records. */
export const KIT_ID_NAMESPACE = "6f1d3c2a-8e4b-5a7c-9d0e-1f2a3b4c5d6e";

export function deriveRecordId(websiteId: string, kind: string, name: string, language?: string): string {
  const parts = [websiteId.toLowerCase(), kind, name];
  if (language !== undefined) parts.push(language);
  return uuidv5(parts.join("\n"), KIT_ID_NAMESPACE);
}
