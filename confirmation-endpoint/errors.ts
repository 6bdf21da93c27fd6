// The endpoint's own error family. Routes throw HttpError (mapped to a status and the
// `{error:{code,message}}` body at the edge); the store throws StoreError so a webhook answers 5xx
// and the provider delivers again; the worker reads StaleLeaseError and VersionConflictError to
// know its view of a job or purchase is out of date. All extend the kit's one base (KitError).

import { KitError } from "../common/kit-error";

/** A request the endpoint refuses: the status and a stable code go to the caller as they are. */
export class HttpError extends KitError {
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
    super(message, { cause, retryable: status === 429 || status === 503 });
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** The store could not read or commit; nothing the caller asked for was saved. */
export class StoreError extends KitError {
  override readonly name = "StoreError";
  readonly code = "STORE_UNAVAILABLE";

  constructor(message: string, cause?: unknown) {
    super(message, {
      cause,
      retryable: true,
      hint: "Check the store (STORE_URL): disk space, permissions, locks.",
    });
  }
}

/** A worker tried to settle a job whose lease another worker now holds; its result is dropped. */
export class StaleLeaseError extends KitError {
  override readonly name = "StaleLeaseError";
  readonly code = "STALE_LEASE";

  constructor(jobId: number, workerId: string) {
    super(
      `Job ${jobId} is no longer leased by worker ${workerId}; another worker took it over after the lease ran out.`,
    );
  }
}

/** A purchase changed between read and write (compare-and-set on `version` failed). */
export class VersionConflictError extends KitError {
  override readonly name = "VersionConflictError";
  readonly code = "VERSION_CONFLICT";

  constructor(purchaseId: string, expected: number) {
    super(`Purchase ${purchaseId} is no longer at version ${expected}; re-read it and decide again.`, {
      retryable: true,
    });
  }
}

/** The environment does not describe a runnable endpoint; every problem is listed. */
export class ConfigError extends KitError {
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
