// The Dataverse client's error family. Dataverse's own code (0x80072322 …) and message are kept so an
// admin can search for them; the kit adds whether a retry can help and whether the request may
// already have taken effect.

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
  cause?: unknown;
}

/** A failed Dataverse call, after the client's own retries. */
export class DataverseError extends Error {
  override readonly name = "DataverseError";
  readonly status: number;
  readonly code: string;
  readonly subErrorCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly ambiguous: boolean;
  readonly operation: string | undefined;
  readonly detail: unknown;

  constructor(details: DataverseErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.subErrorCode = details.subErrorCode;
    this.retryAfterMs = details.retryAfterMs;
    this.requestId = details.requestId;
    this.retryable = details.retryable;
    this.ambiguous = details.ambiguous ?? false;
    this.operation = details.operation;
    this.detail = details.detail;
  }
}

/** The call could not finish before the caller's deadline; nothing slept past it. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";
  readonly code = "DEADLINE_EXCEEDED";
  readonly deadline: number;

  constructor(message: string, deadline: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.deadline = deadline;
  }
}

/** The client's configuration is wrong (missing credential, bad URL …); fix the settings and restart. */
export class DataverseConfigError extends Error {
  override readonly name = "DataverseConfigError";
  readonly code = "DATAVERSE_CONFIG";
  readonly problems: string[];

  constructor(problems: string[], cause?: unknown) {
    super(
      `Dataverse client configuration is invalid: ${problems.join("; ")}`,
      cause === undefined ? undefined : { cause },
    );
    this.problems = problems;
  }
}

/** A token could not be obtained for an application user (wrong secret, certificate, tenant …). */
export class DataverseAuthError extends Error {
  override readonly name = "DataverseAuthError";
  readonly code: string;
  /** msal's own error code when there is one (e.g. invalid_client). */
  readonly authErrorCode: string | undefined;
  readonly retryable: boolean;

  constructor(
    message: string,
    options: { authErrorCode?: string | undefined; retryable: boolean; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = "DATAVERSE_AUTH";
    this.authErrorCode = options.authErrorCode;
    this.retryable = options.retryable;
  }
}

export function isDataverseError(error: unknown): error is DataverseError {
  return error instanceof DataverseError;
}
