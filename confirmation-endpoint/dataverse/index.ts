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
  PURCHASE_NOT_FOUND,
  isDataverseError,
  isPurchaseNotFound,
} from "./errors";
export { DEFAULT_PURCHASE_NOT_FOUND_RULES } from "./classify-not-found";
export type { PurchaseNotFoundRule } from "./classify-not-found";
export { FINALIZE_STATUS_UNEXPECTED } from "./operations/finalize-registration";
export { isThrottled } from "./retry-policy";
export type { DataverseLogEntry, DataverseLogger, DataverseLogLevel } from "./log";
export { DEFAULT_PURCHASE_ALIASES, parsePurchaseDetails } from "./parse-purchase-details";
export type { PurchaseAliases } from "./parse-purchase-details";
export { currencyExponent, toMinorUnits } from "./minor-units";
export * from "./types";
export { readDataverseEnv } from "./read-dataverse-env";
export type { DataverseEnvResult } from "./read-dataverse-env";
