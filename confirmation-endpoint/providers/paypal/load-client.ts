// The official SDK takes over a second to load and about 40 MiB of memory, and every process that
// reads the provider registry would pay for it (scripts, the endpoint with Stripe active). The
// PayPal code therefore loads it on its first call, once per adapter, as a package import on
// demand, which bundlers leave lazy (a relative file imported on demand they inline).

import { createPayPalClientWith, loadPayPalSdk } from "./client-with";
import type { PayPalClient, PayPalClientOptions } from "./client-with";

export type ClientLoader = () => Promise<PayPalClient>;

export function lazyPayPalClient(options: PayPalClientOptions): ClientLoader {
  let pending: Promise<PayPalClient> | null = null;
  return () => {
    if (pending === null) {
      pending = loadPayPalSdk().then((sdk) => createPayPalClientWith(sdk, options));
      // A failed load (it should not happen) is tried again next time rather than kept.
      pending.catch(() => (pending = null));
    }
    return pending;
  };
}
