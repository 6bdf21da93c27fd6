// Errors of the gateway page. Each has a stable code so the page (and tests) branch on the code,
// never on the message.

export type GatewayErrorCode = "ENDPOINT_UNREACHABLE" | "ENDPOINT_HTTP_ERROR" | "ENDPOINT_BAD_RESPONSE";

export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = "GatewayError";
    this.code = code;
    // Set by hand: the page's ES2020 lib has no Error(message, { cause }) constructor.
    (this as { cause?: unknown }).cause = options?.cause;
  }
}

/** The endpoint answered with an error status; `errorCode` is the body's `error.code` when present. */
export class EndpointHttpError extends GatewayError {
  readonly status: number;
  readonly errorCode: string | null;
  constructor(status: number, errorCode: string | null, message: string) {
    super("ENDPOINT_HTTP_ERROR", message);
    this.name = "EndpointHttpError";
    this.status = status;
    this.errorCode = errorCode;
  }
}
