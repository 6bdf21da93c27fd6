// Errors the stand-in answers with, in Stripe's wire shape:
// status + `{ "error": { "type", "code"?, "message", "param"? } }`.
// The SDK picks its error class from the status and `type` (400/404 → StripeInvalidRequestError,
// 400 + idempotency_error → StripeIdempotencyError, 401 → StripeAuthenticationError, 402 → StripeCardError).

export type ApiErrorType = "invalid_request_error" | "idempotency_error" | "api_error" | "card_error";

export class ApiError extends Error {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly code: string | undefined;
  readonly param: string | undefined;

  constructor(init: { status: number; type: ApiErrorType; message: string; code?: string; param?: string }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
  }

  toBody(): { error: Record<string, string> } {
    const error: Record<string, string> = { type: this.type, message: this.message };
    if (this.code !== undefined) error.code = this.code;
    if (this.param !== undefined) error.param = this.param;
    return { error };
  }
}

export function invalidRequest(message: string, param?: string, code?: string): ApiError {
  return new ApiError({
    status: 400,
    type: "invalid_request_error",
    message,
    ...(param === undefined ? {} : { param }),
    ...(code === undefined ? {} : { code }),
  });
}

export function missingParam(param: string): ApiError {
  return invalidRequest(`Missing required param: ${param}.`, param, "parameter_missing");
}

export function unknownParam(param: string): ApiError {
  return invalidRequest(
    `Received unknown parameter: ${param}. The stand-in accepts only parameters Stripe's API defines for this call.`,
    param,
    "parameter_unknown",
  );
}

export function noSuchObject(kind: string, id: string, param = "id"): ApiError {
  return new ApiError({
    status: 404,
    type: "invalid_request_error",
    code: "resource_missing",
    param,
    message: `No such ${kind}: '${id}'`,
  });
}
