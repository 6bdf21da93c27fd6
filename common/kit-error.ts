// The one error base of the kit. Every error the kit throws on purpose extends KitError, so each
// edge (an HTTP route, the RTM redirect, a command line) reads the same four things and maps them
// once: a stable `code` to search for and to branch on, a `hint` that tells a person what to do
// next, whether trying again can help (`retryable`), and the `cause` it wraps. Node-free: the
// gateway page's own errors extend it too.

export interface KitErrorOptions {
  /** What a person can do about it ("set STRIPE_SECRET_KEY", "run npm run doctor"). */
  hint?: string | undefined;
  /** Trying the same thing again, later, can succeed. Default false. */
  retryable?: boolean | undefined;
  cause?: unknown;
}

export abstract class KitError extends Error {
  /** Stable, upper-case, searchable (BAD_SIGNATURE, STORE_UNAVAILABLE …); never reworded. */
  abstract readonly code: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(message: string, options: KitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/** True for any error of the kit's family (also across bundles, where instanceof may not hold). */
export function isKitError(error: unknown): error is KitError {
  return (
    error instanceof KitError ||
    (error instanceof Error &&
      typeof (error as { code?: unknown }).code === "string" &&
      typeof (error as { retryable?: unknown }).retryable === "boolean")
  );
}
