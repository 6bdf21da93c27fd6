// The seam between the Dataverse client (confirmation-endpoint/dataverse/) and its callers (the
// endpoint's checkout route and worker, the scripts). Callers depend on these types only, so a test
// can hand them a fake that implements EventManagementApi.

/** Options every Dataverse call accepts. */
export interface CallOptions {
  /** Epoch milliseconds after which no retry (or sleep) may happen; the call fails with DeadlineExceededError. */
  deadline?: number;
  signal?: AbortSignal;
}

/** What the purchase-detail actions say about a purchase, parsed defensively (spec §5 coping rules). */
export interface PurchaseDetails {
  purchaseId: string;
  eventName: string | null;
  readableEventId: string | null;
  /** Integer minor units in `currency` (e.g. 12.50 EUR → 1250, 1500 JPY → 1500). */
  amountMinor: number;
  /** ISO 4217, upper case. */
  currency: string;
  attendees: Array<{
    name: string | null;
    email: string | null;
    passName: string | null;
    amountMinor: number | null;
  }>;
  /** The action that answered (msevtmgt_ListDetailedPurchaseInfo or the fallback). */
  source: string;
}

/** A read of the msevtmgt_eventpurchase row, used to settle ambiguous outcomes. */
export interface PurchaseRow {
  purchaseId: string;
  paid: boolean | null;
  processed: boolean | null;
  /** ISO timestamp (createdon), when readable. */
  createdOn: string | null;
  purchasingContactId: string | null;
  /** RTM: msevtmgt_totalprice in minor units and the ISO code through the currency relationship. */
  totalMinor: number | null;
  currency: string | null;
}

export interface FinalizeInput {
  purchaseId: string;
  readableEventId: string;
  /** Contact id, or "" for anonymous registration. */
  userId: string;
}

/**
 * The outcome of one finalize call. `finalized`: Dataverse answered a success `status`.
 * `rejected`: a refusal that resending will not change (code PURCHASE_NOT_FOUND when the purchase
 * does not exist); the caller probes the row before refunding, since a refusal may mean "already
 * processed". Anything else is thrown after the client's transport retries: a DataverseError whose
 * `ambiguous` flag says the request may have taken effect (a timeout after sending, a 5xx, or an
 * unexpected `status`: code FINALIZE_STATUS_UNEXPECTED), or DeadlineExceededError.
 */
export type FinalizeOutcome =
  | { outcome: "finalized"; status: string | null; actionName: string }
  | { outcome: "rejected"; status: string | null; reason: string; code: string | null };

export type RtmPaymentStatus = "completed" | "cancelled";

/** The event-management operations the endpoint needs. One implementation talks to Dataverse. */
export interface EventManagementApi {
  /** msevtmgt_ListDetailedPurchaseInfo, falling back to msevtmgt_GetPurchaseDetailsAction. A missing purchase throws DataverseError code PURCHASE_NOT_FOUND. */
  getPurchaseDetails(purchaseId: string, options?: CallOptions): Promise<PurchaseDetails>;
  /** msevtmgt_FinalizeExternalRegistrationRequest (adx_ fallback), sent once: never probes nor resends. */
  finalizeRegistration(input: FinalizeInput, options?: CallOptions): Promise<FinalizeOutcome>;
  /** GET msevtmgt_eventpurchases(<id>); null when Dataverse says the purchase does not exist (yet). */
  readPurchase(purchaseId: string, options?: CallOptions): Promise<PurchaseRow | null>;
  /**
   * The contact's emailaddress1 (the buyer's receipt address); null when it has none. Optional: an
   * implementation without it means no contact e-mail is known.
   */
  readContactEmail?(contactId: string, options?: CallOptions): Promise<string | null>;
  /** RTM: msevtmgt_finalizeregistrationpayment with 100000001 (completed) or 100000000 (cancelled). A missing purchase throws code PURCHASE_NOT_FOUND. */
  finalizeRtmPayment(purchaseId: string, status: RtmPaymentStatus, options?: CallOptions): Promise<void>;
}
