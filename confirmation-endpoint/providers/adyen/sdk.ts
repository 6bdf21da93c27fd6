// The official Adyen library, loaded on first use: it is large (every Adyen API and model), and an
// endpoint or command that never calls Adyen should not pay for loading it. It is CommonJS whose
// services Node's ESM loader cannot name one by one, so they are read from the module object
// whichever way the host (Node, tsx, a bundler) loaded it.

import type * as AdyenModule from "@adyen/api-library";

export type AdyenSdk = typeof AdyenModule;

let loading: Promise<AdyenSdk> | null = null;

export function loadAdyenSdk(): Promise<AdyenSdk> {
  loading ??= import("@adyen/api-library").then(
    (module) => (module as unknown as { default?: AdyenSdk }).default ?? module,
  );
  return loading;
}
