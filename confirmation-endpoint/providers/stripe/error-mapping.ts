// Turns whatever the Stripe SDK throws into a ProviderError with a retryable flag. The SDK has
// already retried (maxNetworkRetries) with the caller's idempotency key by the time this runs, so
// "retryable" means "schedule the same call again later with the same key", never "loop now".

import Stripe from "stripe";
import { ProviderError } from "../errors";

function isStripeError(error: unknown): error is Stripe.errors.StripeError {
  return error instanceof Stripe.errors.StripeError;
}

export function toProviderError(error: unknown, operation: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!isStripeError(error)) {
    return new ProviderError({
      code: "PROVIDER_UNAVAILABLE",
      message: `Stripe ${operation} failed without an API answer (${error instanceof Error ? error.message : String(error)}); it can be retried with the same idempotency key.`,
      retryable: true,
      operation,
      cause: error,
    });
  }
  const status = error.statusCode;
  const common = {
    statusCode: status,
    providerCode: error.code,
    requestId: error.requestId,
    operation,
    cause: error,
  };
  if (error.type === "StripeConnectionError" || status === undefined) {
    return new ProviderError({
      ...common,
      code: "PROVIDER_UNAVAILABLE",
      message: `Stripe ${operation} could not reach the API (${error.message}); it can be retried with the same idempotency key.`,
      retryable: true,
    });
  }
  if (error.type === "StripeIdempotencyError") {
    return new ProviderError({
      ...common,
      code: "IDEMPOTENCY_CONFLICT",
      message: `Stripe ${operation} refused the idempotency key: it was used with other parameters (${error.message}).`,
      retryable: false,
    });
  }
  if (status === 401 || status === 403) {
    return new ProviderError({
      ...common,
      code: "PROVIDER_AUTH",
      message: `Stripe ${operation} was refused with HTTP ${status}: ${error.message}. Check STRIPE_SECRET_KEY (live vs test, restricted key permissions).`,
      retryable: false,
    });
  }
  if (status === 409 || status === 429 || status >= 500) {
    return new ProviderError({
      ...common,
      code: "PROVIDER_UNAVAILABLE",
      message: `Stripe ${operation} answered HTTP ${status}: ${error.message}; retry later with the same idempotency key.`,
      retryable: true,
    });
  }
  return new ProviderError({
    ...common,
    code: "PROVIDER_REJECTED",
    message: `Stripe ${operation} was rejected with HTTP ${status}${error.code ? ` (${error.code})` : ""}: ${error.message}`,
    retryable: false,
  });
}
