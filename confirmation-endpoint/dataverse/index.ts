// The Dataverse client's public surface: import from "confirmation-endpoint/dataverse".

export { createDataverseClient } from "./dataverse-client";
export type {
  DataverseClient,
  DataverseClientMetrics,
  DataverseClientOptions,
  DataverseResponse,
  DataverseUserMetrics,
  HttpMethod,
  RequestOptions,
} from "./dataverse-client";
export { createEventManagementApi, normalizePurchaseId } from "./event-management-api";
export type { EventManagementActionNames, EventManagementApiOptions } from "./event-management-api";
export type { CertificateCredentialInput, DataverseCredential } from "./credentials";
export {
  DataverseAuthError,
  DataverseConfigError,
  DataverseError,
  DeadlineExceededError,
  isDataverseError,
} from "./errors";
export type { DataverseLogEntry, DataverseLogger, DataverseLogLevel } from "./log";
export { DEFAULT_PURCHASE_ALIASES, parsePurchaseDetails } from "./parse-purchase-details";
export type { PurchaseAliases } from "./parse-purchase-details";
export { currencyExponent, toMinorUnits } from "./minor-units";
export * from "./types";
export { readDataverseEnv } from "./read-dataverse-env";
export type { DataverseEnvResult } from "./read-dataverse-env";
