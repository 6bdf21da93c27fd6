// The event-management operations the endpoint needs (types.ts), on top of the Dataverse client.
// Each operation lives in operations/ (one per file); this file fills in the defaults and shares
// what the API learns about the environment (fallback action names, refused price columns).
// No finalize retry lives here: the worker owns probe-before-resend, durably.

import type { PurchaseNotFoundRule } from "./classify-not-found";
import { DEFAULT_PURCHASE_NOT_FOUND_RULES } from "./classify-not-found";
import type { DataverseClient } from "./dataverse-client";
import { silentLogger } from "./log";
import type { DataverseLogger } from "./log";
import { finalizeRegistration } from "./operations/finalize-registration";
import { finalizeRtmPayment } from "./operations/finalize-rtm-payment";
import { getPurchaseDetails } from "./operations/get-purchase-details";
import type { EventManagementActionNames, OperationContext } from "./operations/operation-context";
import { readContactEmail } from "./operations/read-contact-email";
import { readPurchaseRow } from "./operations/read-purchase-row";
import { mergeAliases } from "./parse-purchase-details";
import type { PurchaseAliases } from "./parse-purchase-details";
import type { EventManagementApi } from "./types";

export type { EventManagementActionNames } from "./operations/operation-context";
export { normalizePurchaseId } from "./normalize-purchase-id";

export interface EventManagementApiOptions {
  actions?: Partial<EventManagementActionNames>;
  /** Finalize `status` values meaning success, compared case-insensitively. Default ["Success"]. */
  successStatuses?: string[];
  /** Extra output property names, tried before the built-in ones. */
  aliases?: Partial<PurchaseAliases>;
  /** Entity set of purchases. Default msevtmgt_eventpurchases. */
  purchaseEntitySet?: string;
  /** RTM price columns on readPurchase. "auto" (default) asks for them and drops them if Dataverse refuses the query. */
  purchasePrice?: "auto" | "always" | "never";
  /** Price column and currency expansion on the purchase (RTM). */
  priceColumn?: string;
  currencyExpand?: string;
  /** Dataverse answers that mean "no such purchase" (default DEFAULT_PURCHASE_NOT_FOUND_RULES). */
  purchaseNotFound?: readonly PurchaseNotFoundRule[];
  /** Resend msevtmgt_finalizeregistrationpayment after a timeout/5xx (default true: setting a status twice is harmless). */
  retryRtmAmbiguous?: boolean;
  log?: DataverseLogger;
}

function defaultActions(given: Partial<EventManagementActionNames> = {}): EventManagementActionNames {
  return {
    listDetailedPurchaseInfo: given.listDetailedPurchaseInfo ?? "msevtmgt_ListDetailedPurchaseInfo",
    getPurchaseDetails: given.getPurchaseDetails ?? "msevtmgt_GetPurchaseDetailsAction",
    finalize: given.finalize ?? [
      "msevtmgt_FinalizeExternalRegistrationRequest",
      "adx_FinalizeExternalRegistrationRequest",
    ],
    finalizeRtmPayment: given.finalizeRtmPayment ?? "msevtmgt_finalizeregistrationpayment",
  };
}

export function createEventManagementApi(
  client: DataverseClient,
  options: EventManagementApiOptions = {},
): EventManagementApi & {
  /** The finalize action name that answered last (after a fallback, the adx_ one). */
  readonly finalizeActionName: string;
} {
  const ctx: OperationContext = {
    client,
    actions: defaultActions(options.actions),
    successStatuses: new Set((options.successStatuses ?? ["Success"]).map((s) => s.toLowerCase())),
    aliases: mergeAliases(options.aliases),
    row: {
      entitySet: options.purchaseEntitySet ?? "msevtmgt_eventpurchases",
      priceColumn: options.priceColumn ?? "msevtmgt_totalprice",
      currencyExpand:
        options.currencyExpand ?? "TransactionCurrency_msevtmgt_eventpurchase($select=isocurrencycode)",
    },
    notFoundRules: options.purchaseNotFound ?? DEFAULT_PURCHASE_NOT_FOUND_RULES,
    retryRtmAmbiguous: options.retryRtmAmbiguous ?? true,
    log: options.log ?? silentLogger,
    learnt: { detailsViaFallback: false, finalizeIndex: 0, priceMode: options.purchasePrice ?? "auto" },
  };
  return {
    get finalizeActionName() {
      return ctx.actions.finalize[ctx.learnt.finalizeIndex] ?? "";
    },
    getPurchaseDetails: (purchaseId, call) => getPurchaseDetails(ctx, purchaseId, call),
    readPurchase: (purchaseId, call) => readPurchaseRow(ctx, purchaseId, call),
    readContactEmail: (contactId, call) => readContactEmail(ctx, contactId, call),
    finalizeRegistration: (input, call) => finalizeRegistration(ctx, input, call),
    finalizeRtmPayment: (purchaseId, status, call) => finalizeRtmPayment(ctx, purchaseId, status, call),
  };
}
