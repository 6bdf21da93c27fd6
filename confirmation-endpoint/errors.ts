// The endpoint's own error family. Routes throw HttpError (mapped to a status and the
// `{error:{code,message}}` body at the edge); the store throws StoreError so a webhook answers 5xx
// and the provider delivers again; the worker reads StaleLeaseError and VersionConflictError to
// know its view of a job or purchase is out of date.

/** A request the endpoint refuses: the status and a stable code go to the caller as they are. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly status: number;
  readonly code: string;
  /** Extra response headers (e.g. Retry-After on 429). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    cause?: unknown,
    headers: Record<string, string> = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** The store could not read or commit; nothing the caller asked for was saved. */
export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code = "STORE_UNAVAILABLE";

  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** A worker tried to settle a job whose lease another worker now holds; its result is dropped. */
export class StaleLeaseError extends Error {
  override readonly name = "StaleLeaseError";
  readonly code = "STALE_LEASE";

  constructor(jobId: number, workerId: string) {
    super(
      `Job ${jobId} is no longer leased by worker ${workerId}; another worker took it over after the lease ran out.`,
    );
  }
}

/** A purchase changed between read and write (compare-and-set on `version` failed). */
export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
  readonly code = "VERSION_CONFLICT";

  constructor(purchaseId: string, expected: number) {
    super(`Purchase ${purchaseId} is no longer at version ${expected}; re-read it and decide again.`);
  }
}

/** The environment does not describe a runnable endpoint; every problem is listed. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "INVALID_CONFIG";
  readonly problems: string[];

  constructor(problems: string[]) {
    super(
      `The endpoint cannot start: ${problems.length} configuration problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}\nFix them in the environment (see .env.example) and start again.`,
    );
    this.problems = problems;
  }
}
