export { ADYEN_ACK, createAdyenAdapter } from "./adapter";
export type { AdyenAdapter } from "./adapter";
export type { AdyenAdapterConfig } from "./config";
export { adyenProvider } from "./plugin";
export type { AdyenEnvConfig } from "./plugin";
