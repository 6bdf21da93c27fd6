// Turns what the Adyen library throws into a ProviderError with a retryable flag. "Retryable"
// means "schedule the same call later with the same idempotency key", never "loop now".

import { ProviderError } from "../errors";

interface AdyenFailure {
  statusCode?: unknown;
  errorCode?: unknown;
  apiError?: { errorCode?: unknown; message?: unknown; pspReference?: unknown } | undefined;
  message?: unknown;
}

export function toProviderError(error: unknown, operation: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const failure = (typeof error === "object" && error !== null ? error : {}) as AdyenFailure;
  const status =
    typeof failure.statusCode === "number" && failure.statusCode > 0 ? failure.statusCode : undefined;
  const providerCode = [failure.apiError?.errorCode, failure.errorCode].find((c) => typeof c === "string") as
    string | undefined;
  const detail =
    typeof failure.apiError?.message === "string"
      ? failure.apiError.message
      : String(failure.message ?? error);
  const common = {
    statusCode: status,
    providerCode,
    requestId: typeof failure.apiError?.pspReference === "string" ? failure.apiError.pspReference : undefined,
    operation,
    cause: error,
  };
  if (status === undefined) {
    return new ProviderError({
      ...common,
      code: "PROVIDER_UNAVAILABLE",
      message: `Adyen ${operation} failed without an API answer (${detail}); it can be retried with the same idempotency key.`,
      retryable: true,
    });
  }
  if (status === 401 || status === 403) {
    return new ProviderError({
      ...common,
      code: "PROVIDER_AUTH",
      message: `Adyen ${operation} was refused with HTTP ${status}. Check ADYEN_API_KEY, its roles and ADYEN_MERCHANT_ACCOUNT.`,
      retryable: false,
    });
  }
  if (status === 409 || status === 429 || status >= 500) {
    return new ProviderError({
      ...common,
      code: "PROVIDER_UNAVAILABLE",
      message: `Adyen ${operation} answered HTTP ${status}: ${detail}; retry later with the same idempotency key.`,
      retryable: true,
    });
  }
  return new ProviderError({
    ...common,
    code: "PROVIDER_REJECTED",
    message: `Adyen ${operation} was rejected with HTTP ${status}${providerCode ? ` (${providerCode})` : ""}: ${detail}`,
    retryable: false,
  });
}
