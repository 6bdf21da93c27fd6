// Errors of the gateway page, in the kit's one error family (common/kit-error.ts). Each has a
// stable code so the page (and tests) branch on the code, never on the message.
import { KitError } from "../common/kit-error";
import type { KitErrorOptions } from "../common/kit-error";

export type GatewayErrorCode = "ENDPOINT_UNREACHABLE" | "ENDPOINT_HTTP_ERROR" | "ENDPOINT_BAD_RESPONSE";

export class GatewayError extends KitError {
  override readonly name: string = "GatewayError";
  readonly code: GatewayErrorCode;
  constructor(code: GatewayErrorCode, message: string, options: KitErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

/** The endpoint answered with an error status; `errorCode` is the body's `error.code` when present. */
export class EndpointHttpError extends GatewayError {
  override readonly name: string = "EndpointHttpError";
  readonly status: number;
  readonly errorCode: string | null;
  constructor(status: number, errorCode: string | null, message: string) {
    super("ENDPOINT_HTTP_ERROR", message, { retryable: status === 429 || status >= 500 });
    this.status = status;
    this.errorCode = errorCode;
  }
}
