// The official SDK takes over a second to load, and every process that reads the provider registry
// would pay for it (scripts, the endpoint with Stripe active). The PayPal code therefore loads it
// on its first call, once per adapter.

import type { PayPalClient, PayPalClientOptions } from "./client";

export type ClientLoader = () => Promise<PayPalClient>;

export function lazyPayPalClient(options: PayPalClientOptions): ClientLoader {
  let pending: Promise<PayPalClient> | null = null;
  return () => {
    if (pending === null) {
      pending = import("./client").then((m) => m.createPayPalClient(options));
      // A failed load (it should not happen) is tried again next time rather than kept.
      pending.catch(() => (pending = null));
    }
    return pending;
  };
}
