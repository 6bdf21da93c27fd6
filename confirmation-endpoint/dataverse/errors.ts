// The Dataverse client's error family, on the kit's one error base (KitError: code, hint,
// retryable, cause). Dataverse's own code (0x80072322 …) and message are kept so an admin can
// search for them; the kit adds whether a retry can help and whether the request may already have
// taken effect.

import { KitError } from "../../common/kit-error";

export interface DataverseErrorDetails {
  /** HTTP status, or 0 when no answer arrived (network error, timeout). */
  status: number;
  /** Dataverse's code (e.g. 0x80072322), a Node network code (ECONNRESET) or a kit code (UNPARSEABLE_PURCHASE). */
  code: string;
  message: string;
  subErrorCode?: string | undefined;
  retryAfterMs?: number | undefined;
  requestId?: string | undefined;
  /** A retry (after a pause) can succeed. */
  retryable: boolean;
  /** The request may have reached Dataverse and taken effect although no clear answer came back. */
  ambiguous?: boolean | undefined;
  /** Where the call went, without the host (e.g. "POST msevtmgt_FinalizeExternalRegistrationRequest"). */
  operation?: string | undefined;
  /** Extra data for diagnostics, already redacted (e.g. the raw body of an unparseable purchase). */
  detail?: unknown;
  hint?: string | undefined;
  cause?: unknown;
}

/** The kit's code for "Dataverse has no purchase with this id", whatever Dataverse itself answered. */
export const PURCHASE_NOT_FOUND = "PURCHASE_NOT_FOUND";

/** A failed Dataverse call, after the client's own retries. */
export class DataverseError extends KitError {
  override readonly name = "DataverseError";
  readonly status: number;
  readonly code: string;
  readonly subErrorCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  readonly ambiguous: boolean;
  readonly operation: string | undefined;
  readonly detail: unknown;

  constructor(details: DataverseErrorDetails) {
    super(details.message, { hint: details.hint, retryable: details.retryable, cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.subErrorCode = details.subErrorCode;
    this.retryAfterMs = details.retryAfterMs;
    this.requestId = details.requestId;
    this.ambiguous = details.ambiguous ?? false;
    this.operation = details.operation;
    this.detail = details.detail;
  }
}

/** The call could not finish before the caller's deadline; nothing slept past it. A later call may succeed. */
export class DeadlineExceededError extends KitError {
  override readonly name = "DeadlineExceededError";
  readonly code = "DEADLINE_EXCEEDED";
  readonly deadline: number;

  constructor(message: string, deadline: number, cause?: unknown) {
    super(message, {
      cause,
      retryable: true,
      hint: "Dataverse was slow or throttling; the work is retried later if time allows.",
    });
    this.deadline = deadline;
  }
}

/** The client's configuration is wrong (missing credential, bad URL …); fix the settings and restart. */
export class DataverseConfigError extends KitError {
  override readonly name = "DataverseConfigError";
  readonly code = "DATAVERSE_CONFIG";
  readonly problems: string[];

  constructor(problems: string[], cause?: unknown) {
    super(`Dataverse client configuration is invalid: ${problems.join("; ")}`, {
      cause,
      hint: "fix the DATAVERSE_* settings and restart",
    });
    this.problems = problems;
  }
}

/** A token could not be obtained for an application user (wrong secret, certificate, tenant …). */
export class DataverseAuthError extends KitError {
  override readonly name = "DataverseAuthError";
  readonly code = "DATAVERSE_AUTH";
  /** msal's own error code when there is one (e.g. invalid_client). */
  readonly authErrorCode: string | undefined;

  constructor(
    message: string,
    options: { authErrorCode?: string | undefined; retryable: boolean; cause?: unknown },
  ) {
    super(message, { retryable: options.retryable, cause: options.cause });
    this.authErrorCode = options.authErrorCode;
  }
}

export function isDataverseError(error: unknown): error is DataverseError {
  return error instanceof DataverseError;
}

/** True when a call ended with the kit's typed "purchase not found" outcome. */
export function isPurchaseNotFound(error: unknown): error is DataverseError {
  return error instanceof DataverseError && error.code === PURCHASE_NOT_FOUND;
}
