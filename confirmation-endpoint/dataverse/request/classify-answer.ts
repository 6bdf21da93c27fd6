// Turns what one attempt produced (an HTTP answer, a network error, a token failure) into either a
// response for the caller or a DataverseError, and says what the retry loop should do next.

import axios from "axios";
import type { AxiosResponse } from "axios";
import type { DataverseResponse, RequestOptions } from "../dataverse-client";
import { DataverseAuthError, DataverseError } from "../errors";
import { parseDataverseError, readRequestId } from "../parse-error";
import { isNotSentNetworkCode, isThrottled } from "../retry-policy";

export type Attempt<T> =
  { kind: "ok"; response: DataverseResponse<T> } | { kind: "failed"; failure: DataverseError };

/** What the retry loop does with a failure. */
export type NextStep = "refresh_token" | "wait_throttle" | "retry" | "fail";

function lowerHeaders(headers: AxiosResponse["headers"]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

function parseBody(text: unknown): unknown {
  if (typeof text !== "string") return text ?? null;
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A 2xx becomes the caller's response; anything else a DataverseError keeping Dataverse's code. */
export function classifyAnswer<T>(
  response: AxiosResponse<string>,
  context: { operation: string; user: string; nowMs: number },
): Attempt<T> & { headers: Record<string, string | undefined> } {
  const headers = lowerHeaders(response.headers);
  const data = parseBody(response.data);
  if (response.status >= 200 && response.status < 300) {
    const ok = { status: response.status, headers, data: data as T, requestId: readRequestId(headers) };
    return { kind: "ok", response: { ...ok, user: context.user }, headers };
  }
  const failure = parseDataverseError({
    status: response.status,
    headers,
    body: data,
    operation: context.operation,
    nowMs: context.nowMs,
  });
  return { kind: "failed", failure, headers };
}

/**
 * A thrown error as a DataverseError: a network error is retryable, and ambiguous unless Node says
 * nothing was sent. A refused credential and a cancelled call are rethrown as they are (axios' own
 * error is dropped: its config holds the bearer token).
 */
export function classifyThrown(error: unknown, operation: string, call: RequestOptions): DataverseError {
  if (error instanceof DataverseAuthError) {
    if (!error.retryable) throw error;
    return new DataverseError({
      status: 0,
      code: error.code,
      message: error.message,
      retryable: true,
      operation,
      cause: error,
    });
  }
  if (axios.isCancel(error) || call.signal?.aborted) {
    throw call.signal?.reason ?? new Error(`${operation}: cancelled by the caller`);
  }
  const code = (error as { code?: string }).code ?? "NETWORK_ERROR";
  const timedOut = code === "ETIMEDOUT" || code === "ECONNABORTED";
  return new DataverseError({
    status: 0,
    code,
    message: `${operation}: ${timedOut ? "no answer in time" : `network error ${code}`} talking to Dataverse`,
    retryable: true,
    ambiguous: !isNotSentNetworkCode(code),
    operation,
  });
}

/** Transport trouble only: one token refresh, throttles, and resends that cannot register twice. */
export function nextStep(failure: DataverseError, retryAmbiguous: boolean): NextStep {
  if (failure.status === 401) return "refresh_token";
  if (isThrottled(failure)) return "wait_throttle";
  if (!failure.retryable || (failure.ambiguous && !retryAmbiguous)) return "fail";
  return "retry";
}
