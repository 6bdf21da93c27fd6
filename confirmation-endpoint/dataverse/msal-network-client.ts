// The network module handed to msal-node. It counts token POSTs (for /metrics and the tests), puts a
// timeout on every call and, for a plain-http authority host such as the sandbox's stand-in on
// 127.0.0.1, sends the https URLs msal insists on to that http host instead (spec §6 "Offline msal-node").

import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

export interface NetworkClientOptions {
  /** When set, URLs starting with `https://<host>` go to `http://<host>` (loopback stand-ins only). */
  rewriteHttpsHost?: string | undefined;
  timeoutMs: number;
  onTokenPost?: () => void;
}

function toHttp(url: string, host: string | undefined): string {
  if (host === undefined) return url;
  const prefix = `https://${host}`;
  return url.startsWith(prefix) ? `http://${host}${url.slice(prefix.length)}` : url;
}

async function send<T>(
  method: "GET" | "POST",
  url: string,
  options: NetworkRequestOptions | undefined,
  timeoutMs: number,
): Promise<NetworkResponse<T>> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(timeoutMs) };
  if (options?.headers) init.headers = options.headers;
  if (method === "POST" && options?.body !== undefined) init.body = options.body;
  const response = await fetch(url, init);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value;
  });
  const text = await response.text();
  let body: unknown = {};
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = {
        error: "invalid_response",
        error_description: `token endpoint answered non-JSON (HTTP ${response.status})`,
      };
    }
  }
  return { status: response.status, headers, body: body as T };
}

export function createMsalNetworkClient(options: NetworkClientOptions): INetworkModule {
  const host = options.rewriteHttpsHost;
  return {
    sendGetRequestAsync: <T>(url: string, request?: NetworkRequestOptions, timeout?: number) =>
      send<T>("GET", toHttp(url, host), request, timeout ?? options.timeoutMs),
    sendPostRequestAsync: <T>(url: string, request?: NetworkRequestOptions) => {
      if (/\/oauth2\/v2\.0\/token(\?|$)/.test(url)) options.onTokenPost?.();
      return send<T>("POST", toHttp(url, host), request, options.timeoutMs);
    },
  };
}
