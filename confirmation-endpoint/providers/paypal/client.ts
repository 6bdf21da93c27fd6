// The PayPal client with the official SDK loaded at once (tests, one-off commands). The endpoint
// loads the SDK on first use instead (load-client.ts); both build the client in client-with.ts.

import * as paypalSdk from "@paypal/paypal-server-sdk";
import { createPayPalClientWith } from "./client-with";
import type { PayPalClient, PayPalClientOptions } from "./client-with";

export type { PayPalClient, PayPalClientOptions, PayPalEnvironment } from "./client-with";

export function createPayPalClient(options: PayPalClientOptions): PayPalClient {
  return createPayPalClientWith(paypalSdk, options);
}
