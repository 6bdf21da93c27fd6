// Turns what the PayPal SDK throws into a ProviderError. PayPal's error body carries a name
// (UNPROCESSABLE_ENTITY …), details[].issue (ORDER_ALREADY_CAPTURED, INSTRUMENT_DECLINED …) and a
// debug_id for support; the issue is kept as providerCode so the adapter can branch on it.

import { ProviderError } from "../errors";

/** The SDK's ApiError, read by shape so this file does not load the SDK (see load-client.ts). */
interface ApiErrorShape {
  statusCode: number;
  body: unknown;
}

function isApiError(error: unknown): error is ApiErrorShape {
  return error instanceof Error && typeof (error as Partial<ApiErrorShape>).statusCode === "number";
}

interface PayPalErrorBody {
  name?: string;
  message?: string;
  debug_id?: string;
  details?: { issue?: string; description?: string }[];
}

function readErrorBody(error: ApiErrorShape): PayPalErrorBody {
  if (typeof error.body !== "string") return {};
  try {
    const parsed: unknown = JSON.parse(error.body);
    return parsed && typeof parsed === "object" ? (parsed as PayPalErrorBody) : {};
  } catch {
    return {};
  }
}

export function toPayPalError(error: unknown, operation: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!isApiError(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new ProviderError({
      code: "PROVIDER_UNAVAILABLE",
      message: `PayPal ${operation} failed without an API answer (${reason}); retry later with the same PayPal-Request-Id.`,
      retryable: true,
      operation,
      cause: error,
    });
  }
  const status = error.statusCode;
  const body = readErrorBody(error);
  const issue = body.details?.[0]?.issue ?? body.name;
  const what = `${body.name ?? "error"}${issue && issue !== body.name ? `/${issue}` : ""}`;
  const common = {
    statusCode: status,
    providerCode: issue,
    requestId: body.debug_id,
    operation,
    cause: error,
  };
  if (status === 401 || status === 403) {
    return new ProviderError({
      ...common,
      code: "PROVIDER_AUTH",
      message: `PayPal ${operation} was refused with HTTP ${status} (${what}). Check PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_ENVIRONMENT.`,
      retryable: false,
    });
  }
  if (status === 409 || status === 429 || status >= 500) {
    return new ProviderError({
      ...common,
      code: "PROVIDER_UNAVAILABLE",
      message: `PayPal ${operation} answered HTTP ${status} (${what}); retry later with the same PayPal-Request-Id.`,
      retryable: true,
    });
  }
  return new ProviderError({
    ...common,
    code: "PROVIDER_REJECTED",
    message: `PayPal ${operation} was rejected with HTTP ${status} (${what}).`,
    retryable: false,
  });
}
