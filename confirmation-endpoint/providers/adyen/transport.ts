// The Adyen library sends every call to Adyen's own hosts over https. For the sandbox stand-in on
// 127.0.0.1 it takes this transport instead (the library's documented seam: new Client(config,
// httpClient)): the same paths, headers, idempotency key and bodies the library builds, sent to
// another origin with fetch, and its errors thrown as the library's own HttpClientException.

import type ClientInterface from "@adyen/api-library/lib/src/httpClient/clientInterface";
import { loadAdyenSdk } from "./sdk";

interface TransportOptions {
  method?: string | undefined;
  headers?: Record<string, unknown> | undefined;
  idempotencyKey?: string | undefined;
  params?: ConstructorParameters<typeof URLSearchParams>[0];
}

/** The URL Adyen would be called at, moved onto `apiBase` (path kept, e.g. /v71/paymentLinks). */
export function rebaseUrl(endpoint: string, apiBase: string): URL {
  const original = new URL(endpoint);
  const base = new URL(apiBase);
  return new URL(`${base.pathname.replace(/\/$/, "")}${original.pathname}${original.search}`, base.origin);
}

function requestHeaders(apiKey: string | undefined, options: TransportOptions): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value === "string") headers[name.toLowerCase()] = value;
  }
  if (apiKey) headers["x-api-key"] = apiKey;
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  return headers;
}

async function failure(response: Response): Promise<Error> {
  const body = await response.text();
  let apiError: { status?: number; errorCode?: string; message?: string } | undefined;
  try {
    apiError = JSON.parse(body) as typeof apiError;
  } catch {
    apiError = undefined;
  }
  const { HttpClientException } = await loadAdyenSdk();
  return new HttpClientException({
    message: `HTTP Exception: ${response.status}. ${apiError?.message ?? response.statusText}`,
    statusCode: response.status,
    ...(apiError?.errorCode ? { errorCode: apiError.errorCode } : {}),
    responseBody: body,
    ...(apiError && typeof apiError.status === "number" ? { apiError: apiError as never } : {}),
  });
}

/** A ClientInterface that sends the library's requests to `apiBase` instead of Adyen's hosts. */
export function createRebasedTransport(apiBase: string, fetchImpl: typeof fetch = fetch): ClientInterface {
  return {
    async request(endpoint, json, config, _isApiKeyRequired, requestOptions = {}) {
      const options = requestOptions as TransportOptions;
      const url = rebaseUrl(endpoint, apiBase);
      if (options.params)
        for (const [k, v] of new URLSearchParams(options.params)) url.searchParams.set(k, v);
      const method = (options.method ?? "POST").toUpperCase();
      const response = await fetchImpl(url, {
        method,
        headers: requestHeaders(config.apiKey, options),
        ...(method === "GET" || method === "DELETE" ? {} : { body: String(json) }),
        signal: AbortSignal.timeout(config.connectionTimeoutMillis ?? 20_000),
      });
      if (!response.ok) throw await failure(response);
      return response.text();
    },
  };
}
