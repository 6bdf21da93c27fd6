// What every Event Management operation receives from createEventManagementApi: the client, the
// configured names and rules, and what the API has learnt about this environment so far.

import type { PurchaseNotFoundRule } from "../classify-not-found";
import type { DataverseClient } from "../dataverse-client";
import type { DataverseLogger } from "../log";
import type { PurchaseAliases } from "../parse-purchase-details";

export interface EventManagementActionNames {
  /** Tried first for purchase details. Default msevtmgt_ListDetailedPurchaseInfo. */
  listDetailedPurchaseInfo: string;
  /** Fallback for purchase details. Default msevtmgt_GetPurchaseDetailsAction. */
  getPurchaseDetails: string;
  /** Finalize names in the order tried on 404 0x8006088a. */
  finalize: string[];
  /** RTM. Default msevtmgt_finalizeregistrationpayment. */
  finalizeRtmPayment: string;
}

export interface PurchaseRowColumns {
  entitySet: string;
  priceColumn: string;
  /** The $expand of the currency, e.g. TransactionCurrency_msevtmgt_eventpurchase($select=isocurrencycode). */
  currencyExpand: string;
}

export interface OperationContext {
  client: DataverseClient;
  actions: EventManagementActionNames;
  /** Lower case. */
  successStatuses: ReadonlySet<string>;
  aliases: PurchaseAliases;
  row: PurchaseRowColumns;
  notFoundRules: readonly PurchaseNotFoundRule[];
  retryRtmAmbiguous: boolean;
  log: DataverseLogger;
  /** Learnt from answers and kept for the API's lifetime (the same for every purchase). */
  learnt: {
    detailsViaFallback: boolean;
    finalizeIndex: number;
    priceMode: "auto" | "always" | "never";
  };
}
