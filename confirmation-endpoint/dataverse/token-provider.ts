// Access tokens for one application user: one msal-node ConfidentialClientApplication (client
// secret or certificate) or ManagedIdentityApplication (managed identity), created once; one
// token request in flight at a time (msal itself would send one per concurrent caller);
// a local copy of the token so short-lived tokens (expires_in under msal's 300 s renewal offset,
// which msal never caches) are still reused; a forced refresh (skipCache) after a 401.

import { ConfidentialClientApplication } from "@azure/msal-node";
import type { Configuration } from "@azure/msal-node";
import { credentialKind, prepareCertificate } from "./credentials";
import type { DataverseCredential } from "./credentials";
import { DataverseAuthError } from "./errors";
import type { DataverseLogger } from "./log";
import { createManagedIdentityTokenSource, describeManagedIdentity } from "./managed-identity";
import { createMsalNetworkClient } from "./msal-network-client";

export interface TokenProviderOptions {
  credential: DataverseCredential;
  /** Used when the credential has none of its own. */
  clientId: string;
  tenantId: string;
  /** e.g. https://login.microsoftonline.com, or http://127.0.0.1:<port> for a loopback stand-in. */
  authorityHost: string;
  /** `<DATAVERSE_URL>/.default` */
  scope: string;
  now: () => number;
  log: DataverseLogger;
  label: string;
  timeoutMs: number;
  /** Refresh this long before expiry (capped at a quarter of the token's lifetime). Default 120 s. */
  refreshSkewMs?: number;
}

export interface TokenProvider {
  /** A valid token. `staleToken`: the token a 401 came back with; a forced refresh skips msal's cache unless another caller already replaced it. */
  getToken(options?: { forceRefresh?: boolean; staleToken?: string }): Promise<string>;
  /** Token POSTs sent to the authority so far. */
  readonly tokenRequests: number;
}

interface CachedToken {
  accessToken: string;
  refreshAt: number;
}

/** The msal configuration for one credential; exported for tests. */
export function buildMsalConfiguration(
  options: TokenProviderOptions,
  onTokenPost: () => void,
): Configuration {
  const clientId = options.credential.clientId ?? options.clientId;
  const tenantId = options.credential.tenantId ?? options.tenantId;
  const host = new URL(options.authorityHost);
  const loopbackHttp = host.protocol === "http:";
  // msal accepts only https authorities: for a plain-http stand-in keep an https authority string
  // and let the network client send its requests to the http host.
  const authority = `https://${host.host}${host.pathname.replace(/\/+$/, "")}/${tenantId}`;
  const auth: Configuration["auth"] = { clientId, authority };
  const { credential } = options;
  if (credential.clientSecret !== undefined) auth.clientSecret = credential.clientSecret;
  else if (credential.certificate !== undefined)
    auth.clientCertificate = prepareCertificate(credential.certificate, options.label);
  else throw new Error("a managed identity credential has no msal confidential-client configuration");
  if (loopbackHttp) {
    auth.knownAuthorities = [host.host];
    auth.authorityMetadata = JSON.stringify({
      issuer: `${authority}/v2.0`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      jwks_uri: `${authority}/discovery/v2.0/keys`,
    });
  }
  return {
    auth,
    system: {
      networkClient: createMsalNetworkClient({
        rewriteHttpsHost: loopbackHttp ? host.host : undefined,
        timeoutMs: options.timeoutMs,
        onTokenPost,
      }),
    },
  };
}

function readAuthErrorCode(error: unknown): string | undefined {
  if (error !== null && typeof error === "object" && "errorCode" in error) {
    const code = (error as { errorCode: unknown }).errorCode;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

interface RawToken {
  accessToken: string;
  /** Epoch ms on the real clock; null when the answer named no expiry. */
  expiresOn: number | null;
  fromCache: boolean;
}

/** The one call that gets a token for this credential kind. */
function createRawAcquire(
  options: TokenProviderOptions,
  onTokenRequest: () => void,
): (skipCache: boolean) => Promise<RawToken> {
  const { credential } = options;
  if (credential.managedIdentity !== undefined) {
    const source = createManagedIdentityTokenSource({
      identity: credential.managedIdentity,
      timeoutMs: options.timeoutMs,
    });
    // Counted here, not in the network client: msal keeps the first identity source it builds
    // (with that application's network client) for the whole process.
    return async () => {
      onTokenRequest();
      const token = await source(options.scope);
      return { accessToken: token.accessToken, expiresOn: token.expiresOn, fromCache: false };
    };
  }
  const app = new ConfidentialClientApplication(buildMsalConfiguration(options, onTokenRequest));
  return async (skipCache) => {
    const result = await app.acquireTokenByClientCredential({ scopes: [options.scope], skipCache });
    if (!result?.accessToken) throw new Error("msal returned no access token");
    return {
      accessToken: result.accessToken,
      expiresOn: result.expiresOn ? result.expiresOn.getTime() : null,
      fromCache: result.fromCache ?? false,
    };
  };
}

function authFailureMessage(
  options: TokenProviderOptions,
  authErrorCode: string | undefined,
  error: unknown,
) {
  const code = authErrorCode ? ` (${authErrorCode})` : "";
  const what = (error as Error).message;
  if (options.credential.managedIdentity !== undefined) {
    return (
      `Getting a Dataverse token for application user ${options.label} from ${describeManagedIdentity(options.credential.managedIdentity)} failed${code}: ${what}. ` +
      "Check that the identity is enabled on this Azure resource (Identity blade), that the user-assigned id is right, " +
      "and that the identity's application id is an application user in the environment."
    );
  }
  return `Getting a Dataverse token for application user ${options.label} failed${code}: ${what}. Check the tenant, client id and credential, and that the app is an application user in the environment.`;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  let tokenRequests = 0;
  const acquireRaw = createRawAcquire(options, () => void tokenRequests++);
  const skewMs = options.refreshSkewMs ?? 120_000;
  let cached: CachedToken | null = null;
  let inFlight: Promise<CachedToken> | null = null;

  async function acquire(skipCache: boolean): Promise<CachedToken> {
    const started = options.now();
    try {
      const result = await acquireRaw(skipCache);
      // expiresOn is on the real clock; keep the lifetime and place it on the injected clock.
      const lifetimeMs = result.expiresOn !== null ? Math.max(0, result.expiresOn - Date.now()) : 0;
      const refreshAt = options.now() + lifetimeMs - Math.min(skewMs, lifetimeMs / 4);
      options.log({
        level: "debug",
        event: "dataverse.token.acquired",
        user: options.label,
        credential: credentialKind(options.credential),
        forced: skipCache,
        fromCache: result.fromCache,
        lifetimeS: Math.round(lifetimeMs / 1000),
        durationMs: options.now() - started,
      });
      return { accessToken: result.accessToken, refreshAt };
    } catch (error) {
      const authErrorCode = readAuthErrorCode(error);
      // invalid_client / unauthorized_client & co. are configuration; network trouble is transient.
      const retryable =
        authErrorCode === undefined || /network|timeout|temporarily|server_error|fetch/i.test(authErrorCode);
      options.log({ level: "error", event: "dataverse.token.failed", user: options.label, authErrorCode });
      throw new DataverseAuthError(authFailureMessage(options, authErrorCode, error), {
        authErrorCode,
        retryable,
        cause: error,
      });
    }
  }

  function startAcquire(skipCache: boolean): Promise<CachedToken> {
    const pending = acquire(skipCache).then((token) => {
      cached = token;
      return token;
    });
    inFlight = pending;
    const clear = () => {
      if (inFlight === pending) inFlight = null;
    };
    pending.then(clear, clear);
    return pending;
  }

  return {
    get tokenRequests() {
      return tokenRequests;
    },
    async getToken(request = {}) {
      if (request.forceRefresh) {
        // Someone already replaced the token the 401 came back with: use theirs.
        if (cached && request.staleToken !== undefined && cached.accessToken !== request.staleToken) {
          return cached.accessToken;
        }
        if (inFlight) {
          const shared = await inFlight;
          if (shared.accessToken !== request.staleToken) return shared.accessToken;
          if (inFlight) return (await inFlight).accessToken;
        }
        cached = null;
        return (await startAcquire(true)).accessToken;
      }
      if (cached && options.now() < cached.refreshAt) return cached.accessToken;
      if (inFlight) return (await inFlight).accessToken;
      return (await startAcquire(false)).accessToken;
    },
  };
}
