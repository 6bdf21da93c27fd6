// The payment provider's error family. The webhook route turns a WebhookVerificationError into a
// 400 with nothing stored; the worker reads ProviderError.retryable to decide between "try again
// later with the same idempotency key" and "dead-letter".

import { KitError } from "../../common/kit-error";

export type WebhookVerificationCode =
  /** No signature header, no v1 signature, or no v1 signature matches any configured secret. */
  | "BAD_SIGNATURE"
  /** The signed timestamp is further than the tolerance from our clock, in either direction. */
  | "STALE_TIMESTAMP"
  /** The header or the body cannot be read (bad syntax, repeated header, not JSON, not an event). */
  | "MALFORMED"
  /** A correctly signed event from the other mode (test event on a live endpoint or the reverse). */
  | "LIVEMODE_MISMATCH";

/** The webhook request is untrusted or unreadable; answer 400 and store nothing. */
export class WebhookVerificationError extends KitError {
  override readonly name = "WebhookVerificationError";
  readonly code: WebhookVerificationCode;

  constructor(code: WebhookVerificationCode, message: string, cause?: unknown) {
    super(message, {
      cause,
      hint: "Check the webhook signing secret and that nothing rewrites the raw body.",
    });
    this.code = code;
  }
}

export type ProviderErrorCode =
  /** Network failure, timeout, 5xx, 429 or a lock conflict: the same call may succeed later. */
  | "PROVIDER_UNAVAILABLE"
  /** The provider refused the request (4xx): retrying the same call will not help. */
  | "PROVIDER_REJECTED"
  /** The API key is wrong or lacks permission. */
  | "PROVIDER_AUTH"
  /** The kit refused to send the request: the input breaks a rule checked before any call. */
  | "INVALID_INPUT"
  /** The provider answered with something the adapter cannot interpret. */
  | "UNEXPECTED_RESPONSE"
  /**
   * The idempotency key was used before with other parameters: the same key can never succeed;
   * the caller reserves a new attempt (a new key) instead.
   */
  | "IDEMPOTENCY_CONFLICT";

export interface ProviderErrorDetails {
  code: ProviderErrorCode;
  message: string;
  retryable: boolean;
  /** HTTP status of the provider's answer; undefined when no answer arrived. */
  statusCode?: number | undefined;
  /** The provider's own error code (Stripe: resource_missing, idempotency_key_in_use …). */
  providerCode?: string | undefined;
  /** The provider's request id, for support tickets. */
  requestId?: string | undefined;
  /** What the adapter was doing, e.g. "create checkout session". */
  operation: string;
  cause?: unknown;
}

/** A provider call failed after the SDK's own retries, or was refused before it was sent. */
export class ProviderError extends KitError {
  override readonly name = "ProviderError";
  readonly code: ProviderErrorCode;
  readonly statusCode: number | undefined;
  readonly providerCode: string | undefined;
  readonly requestId: string | undefined;
  readonly operation: string;

  constructor(details: ProviderErrorDetails) {
    super(details.message, { cause: details.cause, retryable: details.retryable });
    this.code = details.code;
    this.statusCode = details.statusCode;
    this.providerCode = details.providerCode;
    this.requestId = details.requestId;
    this.operation = details.operation;
  }
}

/** The adapter's configuration is unusable; raised at startup, never at request time. */
export class ProviderConfigError extends KitError {
  override readonly name = "ProviderConfigError";
  readonly code = "INVALID_PROVIDER_CONFIG";
  /** Every problem found, so an operator fixes them in one go. */
  readonly problems: string[];

  constructor(provider: string, problems: string[]) {
    super(`${provider} adapter configuration is invalid: ${problems.join("; ")}`, {
      hint: "Fix the provider's variables in the environment (see .env.example) and start again.",
    });
    this.problems = problems;
  }
}

/** An amount or currency code that cannot be represented exactly in minor units. */
export class InvalidMoneyError extends KitError {
  override readonly name = "InvalidMoneyError";
  readonly code = "INVALID_MONEY";

  constructor(message: string) {
    super(message);
  }
}
