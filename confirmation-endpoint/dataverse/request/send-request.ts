// Sends one HTTP request to the Web API: the OData headers, the bearer token, a JSON body and a
// timeout that never runs past the caller's deadline. No retry here; run-request decides that.

import type { AxiosInstance, AxiosResponse } from "axios";
import type { HttpMethod, RequestOptions } from "../dataverse-client";

/** Asks Dataverse for its error-detail annotations (sub-code, plug-in message) on failures. */
const ERROR_ANNOTATIONS =
  'odata.include-annotations="Microsoft.PowerApps.CDS.ErrorDetails*,Microsoft.PowerApps.CDS.HelpLink"';

export interface SendRequestInput {
  axios: AxiosInstance;
  token: string;
  method: HttpMethod;
  path: string;
  call: RequestOptions;
  timeoutMs: number;
  now: () => number;
}

function buildHeaders(input: SendRequestInput): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: "application/json",
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
    Prefer: ERROR_ANNOTATIONS,
    Authorization: `Bearer ${input.token}`,
    ...input.call.headers,
  };
  if (input.method === "GET") headers["If-None-Match"] ??= "null";
  if (input.call.body !== undefined) headers["Content-Type"] = "application/json; charset=utf-8";
  return headers;
}

export function sendRequest(input: SendRequestInput): Promise<AxiosResponse<string>> {
  const { call } = input;
  let timeout = input.timeoutMs;
  if (call.deadline !== undefined) timeout = Math.min(timeout, Math.max(1, call.deadline - input.now()));
  return input.axios.request<string>({
    method: input.method,
    url: input.path.replace(/^\/+/, ""),
    headers: buildHeaders(input),
    data: call.body !== undefined ? JSON.stringify(call.body) : undefined,
    timeout,
    signal: call.signal,
    // keep the bearer token out of axios' own error objects' config as far as we can
    transitional: { clarifyTimeoutError: true },
  });
}
