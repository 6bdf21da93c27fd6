// Turns a Dataverse error answer ({"error":{"code","message"}} plus the CDS error-detail
// annotations) into a DataverseError that keeps Dataverse's own code and message.

import { DataverseError } from "./errors";
import {
  isAmbiguousStatus,
  isFinalStatus,
  isThrottled,
  isTransientStatus,
  parseRetryAfter,
} from "./retry-policy";

const ANNOTATION_PREFIX = "@Microsoft.PowerApps.CDS.ErrorDetails.";

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  operation: string;
  nowMs: number;
}

function readString(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim() !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The request id Dataverse sends back, for support cases. */
export function readRequestId(headers: Record<string, string | undefined>): string | undefined {
  return headers["x-ms-service-request-id"] ?? headers["req_id"] ?? headers["x-ms-request-id"] ?? undefined;
}

export function parseDataverseError(answer: ErrorAnswer): DataverseError {
  const { status, headers, body, operation } = answer;
  let code: string | undefined;
  let message: string | undefined;
  let subErrorCode: string | undefined;
  let innerMessage: string | undefined;
  if (body !== null && typeof body === "object") {
    const error = (body as Record<string, unknown>)["error"];
    if (error !== null && typeof error === "object") {
      const record = error as Record<string, unknown>;
      code = readString(record["code"]);
      message = readString(record["message"]);
      subErrorCode = readString(record[`${ANNOTATION_PREFIX}SubErrorCode`]);
      innerMessage = readString(record[`${ANNOTATION_PREFIX}InnerError.Message`]);
    }
  }
  const retryAfterMs = parseRetryAfter(headers["retry-after"], answer.nowMs);
  const throttled = isThrottled({ status, code, subErrorCode });
  const retryable =
    throttled || status === 401 || isTransientStatus(status) || (!isFinalStatus(status) && status >= 500);
  const text =
    message ??
    (typeof body === "string" && body.trim() !== ""
      ? body.slice(0, 300)
      : `HTTP ${status} without an error message`);
  return new DataverseError({
    status,
    code: code ?? (throttled ? "THROTTLED" : `HTTP_${status}`),
    message: `${operation} failed with HTTP ${status}${code ? ` ${code}` : ""}: ${text}${
      innerMessage && innerMessage !== text ? ` (${innerMessage})` : ""
    }`,
    subErrorCode,
    retryAfterMs,
    requestId: readRequestId(headers),
    retryable,
    // A 5xx/408 may come after the server ran the request; a throttle or a 503 means it did not run.
    ambiguous: !throttled && isAmbiguousStatus(status),
    operation,
  });
}
