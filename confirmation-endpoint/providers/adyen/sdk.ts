// The official Adyen library is CommonJS whose services Node's ESM loader cannot name one by one;
// this reads them from the module object whichever way the host (Node, tsx, a bundler) loaded it.

import * as adyenModule from "@adyen/api-library";

type AdyenSdk = typeof adyenModule;

export const adyenSdk: AdyenSdk = (adyenModule as unknown as { default?: AdyenSdk }).default ?? adyenModule;
