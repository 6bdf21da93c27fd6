// The official library's Checkout API for one configuration: Adyen's own hosts (test, or live with
// the account's URL prefix), or the sandbox stand-in through the rebased transport.

import type { ResolvedAdyenConfig } from "./config";
import { toProviderError } from "./error-mapping";
import { loadAdyenSdk, type AdyenSdk } from "./sdk";
import { createRebasedTransport } from "./transport";

export type CheckoutApi = InstanceType<AdyenSdk["CheckoutAPI"]>;

export async function createCheckoutApi(
  resolved: ResolvedAdyenConfig,
  fetchImpl?: typeof fetch,
): Promise<CheckoutApi> {
  const adyenSdk = await loadAdyenSdk();
  const config = new adyenSdk.Config({
    apiKey: resolved.apiKey,
    environment: resolved.live ? adyenSdk.EnvironmentEnum.LIVE : adyenSdk.EnvironmentEnum.TEST,
    connectionTimeoutMillis: resolved.timeoutMs,
    ...(resolved.liveUrlPrefix ? { liveEndpointUrlPrefix: resolved.liveUrlPrefix } : {}),
  });
  const client = resolved.apiBase
    ? new adyenSdk.Client(config, createRebasedTransport(resolved.apiBase, fetchImpl))
    : new adyenSdk.Client(config);
  return new adyenSdk.CheckoutAPI(client);
}

/** Run one library call; whatever it throws comes out as a ProviderError. */
export async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toProviderError(error, operation);
  }
}
