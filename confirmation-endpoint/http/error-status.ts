// The HTTP edge's one mapping from the kit's errors to a status: domain errors keep their code and
// message; a store failure is always 503 (the caller may try again, nothing was saved); anything
// else is a 500 whose details stay in the log.

import { isKitError } from "../../common/kit-error";
import { HttpError, StoreError } from "../errors";

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  INVALID_REQUEST: 400,
  EVENT_MISMATCH: 400,
  PURCHASE_NOT_FOUND: 404,
  RTM_NOT_ENABLED: 404,
  ALREADY_PAID: 409,
  PURCHASE_CLOSED: 409,
  WRONG_FLOW: 409,
  TOO_LATE: 410,
  PURCHASE_UNREADABLE: 502,
  PROVIDER_ERROR: 502,
  PURCHASE_NOT_READY: 503,
  DATAVERSE_UNAVAILABLE: 503,
  RTM_TIMEOUT_UNKNOWN: 503,
  PROVIDER_UNAVAILABLE: 503,
};

/** The HttpError an error becomes at the edge. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreError) {
    return new HttpError(
      503,
      "TEMPORARILY_UNAVAILABLE",
      "The endpoint cannot save right now; try again in a moment.",
      error,
    );
  }
  if (isKitError(error)) {
    const status = STATUS_BY_CODE[error.code];
    if (status !== undefined) return new HttpError(status, error.code, error.message, error);
  }
  return new HttpError(500, "INTERNAL", "The endpoint failed to handle the request; try again later.", error);
}
