// The official SDK's client, built once per adapter. The SDK knows two hosts (live and sandbox);
// the kit's stand-in runs on loopback, so an optional API base rewrites the origin of every request
// the SDK sends, its OAuth token call included. Nothing else about the requests changes.

import { Client, Environment, OrdersController, PaymentsController } from "@paypal/paypal-server-sdk";
import { apiOrigin } from "./api-origin";
import type { PayPalEnvironment } from "./api-origin";

export type { PayPalEnvironment } from "./api-origin";

export interface PayPalClientOptions {
  clientId: string;
  clientSecret: string;
  environment: PayPalEnvironment;
  /** An origin (scheme, host, port) that replaces PayPal's, e.g. the sandbox's http://127.0.0.1:N. */
  apiBase: string | null;
  timeoutMs: number;
  /** Retries of the SDK's own reads on timeouts, 5xx and 429. */
  maxRetries: number;
}

export interface PayPalClient {
  readonly sdk: Client;
  readonly orders: OrdersController;
  readonly payments: PaymentsController;
  /** The origin requests actually go to. */
  readonly origin: string;
  /** A bearer token for calls the SDK does not wrap (webhook verification, webhook lookup). */
  accessToken(): Promise<string>;
}

/**
 * A client whose request builders send to `origin` instead of the SDK's own host. The SDK asks for
 * its factory inside its own constructor (the OAuth controller), before any field of a subclass
 * exists, so the origin is read when a request is sent, not when the factory is made.
 */
class RebasedClient extends Client {
  declare rebasedOrigin: string | undefined;

  override getRequestBuilderFactory(): ReturnType<Client["getRequestBuilderFactory"]> {
    const factory = super.getRequestBuilderFactory();
    return (...args) => {
      const builder = factory(...args);
      builder.interceptRequest((request) => {
        const origin = this.rebasedOrigin;
        return origin === undefined ? request : { ...request, url: rebaseUrl(request.url, origin) };
      });
      return builder;
    };
  }
}

function rebaseUrl(url: string, origin: string): string {
  const parsed = new URL(url);
  return new URL(parsed.pathname + parsed.search, origin).toString();
}

export function createPayPalClient(options: PayPalClientOptions): PayPalClient {
  const sdk = new RebasedClient({
    environment: options.environment === "live" ? Environment.Production : Environment.Sandbox,
    timeout: options.timeoutMs,
    clientCredentialsAuthCredentials: {
      oAuthClientId: options.clientId,
      oAuthClientSecret: options.clientSecret,
    },
    httpClientOptions: {
      timeout: options.timeoutMs,
      // GET and PUT only (the SDK's default); a POST is retried by the worker with the same request id.
      retryConfig: { maxNumberOfRetries: options.maxRetries, maximumRetryWaitTime: 10 },
    },
  });
  if (options.apiBase !== null) sdk.rebasedOrigin = options.apiBase;
  const origin = apiOrigin(options.environment, options.apiBase);
  let token: { value: string; expiresAt: number } | null = null;
  return {
    sdk,
    orders: new OrdersController(sdk),
    payments: new PaymentsController(sdk),
    origin,
    async accessToken() {
      if (token && token.expiresAt > Date.now() + 60_000) return token.value;
      const fresh = await sdk.clientCredentialsAuthManager.fetchToken();
      const seconds = fresh.expiresIn === undefined ? 300 : Number(fresh.expiresIn);
      token = { value: fresh.accessToken, expiresAt: Date.now() + seconds * 1000 };
      return token.value;
    },
  };
}
