// Purchase ids go to Dataverse as bare lower-case GUIDs; anything else is refused before a call.

import { normalizeGuid } from "../guid";
import { DataverseError } from "./errors";

/** A bare lower-case GUID, or throws a DataverseError naming the bad value. */
export function normalizePurchaseId(value: string): string {
  const id = normalizeGuid(value);
  if (id === null) {
    throw new DataverseError({
      status: 0,
      code: "INVALID_PURCHASE_ID",
      message: `purchase id "${value.slice(0, 60)}" is not a GUID; expected e.g. 0f8fad5b-d9cb-469f-a165-70867728950e`,
      retryable: false,
    });
  }
  return id;
}
