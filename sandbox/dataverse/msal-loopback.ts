// How msal-node reaches the stand-in's token endpoint.
//
// msal-node refuses plain-http authorities (authority_uri_insecure), and a local HTTPS server would
// need a certificate every process trusts. Instead msal keeps an https authority whose host is the
// loopback host:port, is told that authority is known (knownAuthorities) and what its endpoints are
// (authorityMetadata, so it makes no discovery GETs), and sends its requests through a custom
// network client (system.networkClient) that swaps https:// for http:// — only for that loopback
// origin. The rest of msal (caching, request building, parsing) runs unchanged.
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";

export interface MsalLoopbackSettings {
  authority: string;
  knownAuthorities: string[];
  authorityMetadata: string;
  networkClient: INetworkModule;
}

/** `authorityHost` is the stand-in's http origin, e.g. http://127.0.0.1:PORT. */
export function createMsalLoopbackSettings(authorityHost: string, tenantId: string): MsalLoopbackSettings {
  const http = new URL(authorityHost);
  if (http.protocol !== "http:" || !["127.0.0.1", "localhost", "[::1]"].includes(http.hostname)) {
    throw new Error(
      `The msal loopback settings are for a plain-http loopback authority host, got '${authorityHost}'. Use the real https authority directly.`,
    );
  }
  const httpsOrigin = `https://${http.host}`;
  const authority = `${httpsOrigin}/${tenantId}`;
  const authorityMetadata = JSON.stringify({
    issuer: `${authority}/v2.0`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    token_endpoint: `${authority}/oauth2/v2.0/token`,
    jwks_uri: `${authority}/discovery/v2.0/keys`,
  });
  const toHttp = (url: string): string => {
    if (!url.startsWith(`${httpsOrigin}/`))
      throw new Error(`The loopback network client only talks to ${httpsOrigin}, not ${url}.`);
    return `${http.origin}${url.slice(httpsOrigin.length)}`;
  };
  async function send<T>(
    method: "GET" | "POST",
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    const res = await fetch(toHttp(url), {
      method,
      headers: options?.headers,
      body: method === "POST" ? options?.body : undefined,
    });
    const text = await res.text();
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return { status: res.status, headers, body: (text ? JSON.parse(text) : {}) as T };
  }
  return {
    authority,
    knownAuthorities: [http.host],
    authorityMetadata,
    networkClient: {
      sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>("GET", url, options),
      sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
        send<T>("POST", url, options),
    },
  };
}
