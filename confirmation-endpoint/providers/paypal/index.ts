export { createPayPalAdapter } from "./adapter";
export type { PayPalAdapter, PayPalAdapterConfig } from "./adapter";
export { paypalProvider } from "./plugin";
export type { PayPalEnvConfig } from "./plugin";
