export { createStripeAdapter, resolveStripeConfig } from "./adapter";
export type { StripeAdapter, StripeAdapterConfig } from "./adapter";
export { stripeProvider } from "./plugin";
export type { StripeEnvConfig } from "./plugin";
