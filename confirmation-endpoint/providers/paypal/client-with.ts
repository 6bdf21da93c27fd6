// The official SDK's client, built once per adapter. The SDK knows two hosts (live and sandbox);
// the kit's stand-in runs on loopback, so an optional API base rewrites the origin of every request
// the SDK sends, its OAuth token call included. Nothing else about the requests changes.
// The SDK is only a type here: it is handed in as loaded (loadPayPalSdk), so the endpoint loads it
// on first use even when bundled (a bundler inlines a relative file imported on demand, with its
// static imports, but leaves an on-demand package import alone). client.ts loads it at once.

import type * as PayPalSdkModule from "@paypal/paypal-server-sdk";
import type { Client, OrdersController, PaymentsController } from "@paypal/paypal-server-sdk";
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

function rebaseUrl(url: string, origin: string): string {
  const parsed = new URL(url);
  return new URL(parsed.pathname + parsed.search, origin).toString();
}

/** The SDK module, as `import("@paypal/paypal-server-sdk")` gives it. */
export type PayPalSdk = Pick<
  typeof PayPalSdkModule,
  "Client" | "Environment" | "OrdersController" | "PaymentsController"
>;

/** The SDK, loaded on demand (about 40 MiB of resident memory once loaded). */
export async function loadPayPalSdk(): Promise<PayPalSdk> {
  const loaded = (await import("@paypal/paypal-server-sdk")) as PayPalSdk & { default?: PayPalSdk };
  return typeof loaded.Client === "function" ? loaded : (loaded.default ?? loaded);
}

/**
 * A client class whose request builders send to `origin` instead of the SDK's own host. The SDK
 * asks for its factory inside its own constructor (the OAuth controller), before any field of a
 * subclass exists, so the origin is read when a request is sent, not when the factory is made.
 */
function rebasedClientClass(sdk: PayPalSdk) {
  return class RebasedClient extends sdk.Client {
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
  };
}

export function createPayPalClientWith(module: PayPalSdk, options: PayPalClientOptions): PayPalClient {
  const { Environment, OrdersController, PaymentsController } = module;
  const RebasedClient = rebasedClientClass(module);
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
