// Why a checkout (portal or real-time journeys) cannot go ahead, in the domain's words. The checkout
// step throws these; each edge maps them once (http/error-status.ts for the routes). Also the one
// place a failed Dataverse read becomes a checkout refusal, for both flows.

import { KitError } from "../../common/kit-error";
import { DataverseAuthError, DataverseError, DeadlineExceededError } from "../dataverse/errors";

export type CheckoutRefusal =
  | "INVALID_REQUEST"
  | "EVENT_MISMATCH"
  | "PURCHASE_NOT_FOUND"
  | "ALREADY_PAID"
  | "PURCHASE_CLOSED"
  | "WRONG_FLOW"
  | "TOO_LATE"
  | "RTM_NOT_ENABLED"
  | "PURCHASE_UNREADABLE"
  | "PURCHASE_NOT_READY"
  | "DATAVERSE_UNAVAILABLE"
  | "RTM_TIMEOUT_UNKNOWN"
  | "PROVIDER_UNAVAILABLE"
  | "PROVIDER_ERROR";

const RETRYABLE: ReadonlySet<CheckoutRefusal> = new Set([
  "PURCHASE_NOT_READY",
  "DATAVERSE_UNAVAILABLE",
  "RTM_TIMEOUT_UNKNOWN",
  "PROVIDER_UNAVAILABLE",
]);

export class CheckoutError extends KitError {
  override readonly name = "CheckoutError";
  readonly code: CheckoutRefusal;

  /** `message` is said to the attendee as it is: what happened and what to do. */
  constructor(code: CheckoutRefusal, message: string, cause?: unknown) {
    super(message, { cause, retryable: RETRYABLE.has(code) });
    this.code = code;
  }
}

/** A Dataverse read that failed during checkout, as the refusal the attendee sees. */
export function refusalFromDataverse(error: unknown): CheckoutError {
  if (error instanceof DataverseError) {
    if (error.code === "PURCHASE_NOT_FOUND" || error.status === 404) {
      return new CheckoutError(
        "PURCHASE_NOT_FOUND",
        "No purchase with this id exists; start again from the event's registration page.",
        error,
      );
    }
    if (!error.retryable) {
      return new CheckoutError(
        "PURCHASE_UNREADABLE",
        "The purchase could not be read from Dynamics; try again later or ask the organizer.",
        error,
      );
    }
  }
  const reason =
    error instanceof DataverseError ||
    error instanceof DeadlineExceededError ||
    error instanceof DataverseAuthError
      ? "Dynamics is busy or unreachable; try again in a moment."
      : "Dynamics could not be reached; try again in a moment.";
  return new CheckoutError("DATAVERSE_UNAVAILABLE", reason, error);
}
