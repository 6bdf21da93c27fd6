// The event-management operations the endpoint needs (types.ts), on top of the Dataverse client:
// purchase details with the GetPurchaseDetailsAction fallback, finalize with the adx_ fallback and
// a probe of the purchase row before any resend, the purchase read, and the RTM payment finalize.

import type { DataverseClient } from "./dataverse-client";
import { normalizeGuid } from "../guid";
import { DataverseError, DeadlineExceededError } from "./errors";
import { silentLogger } from "./log";
import type { DataverseLogger } from "./log";
import { normalizeCurrency, toMinorUnits } from "./minor-units";
import { isEmptyDetails, mergeAliases, parsePurchaseDetails } from "./parse-purchase-details";
import type { PurchaseAliases } from "./parse-purchase-details";
import { redactBody } from "./redact";
import { computeBackoff } from "./retry-policy";
import type {
  CallOptions,
  EventManagementApi,
  FinalizeInput,
  FinalizeOutcome,
  PurchaseDetails,
  PurchaseRow,
  RtmPaymentStatus,
} from "./types";

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
  /** Finalize sends at most this many requests after ambiguous outcomes (timeouts, 5xx). Default 3. */
  maxFinalizeSends?: number;
  /** Read the purchase row before every finalize, not only after an unclear outcome (default false). */
  alwaysProbeFirst?: boolean;
  /** Resend msevtmgt_finalizeregistrationpayment after a timeout/5xx (default true: setting a status twice is harmless). */
  retryRtmAmbiguous?: boolean;
  log?: DataverseLogger;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

const NOT_FOUND_SEGMENT = "0x8006088a";
const PROBE_SELECT = "msevtmgt_paid,msevtmgt_processed,createdon,_msevtmgt_purchasingcontactid_value";

/** A bare lower-case GUID, or throws a DataverseError naming the bad value. */
export function normalizePurchaseId(value: string): string {
  const id = normalizeGuid(value);
  if (id === null) {
    throw new DataverseError({
      status: 0,
      code: "INVALID_PURCHASE_ID",
      message: `purchase id "${value.slice(0, 60)}" is not a GUID; expected e.g. 0f8fad5b-d9cb-469f-a165-70867728950e`,
      retryable: false,
    });
  }
  return id;
}

function isSegmentNotFound(error: unknown): error is DataverseError {
  return (
    error instanceof DataverseError && error.status === 404 && error.code.toLowerCase() === NOT_FOUND_SEGMENT
  );
}

function readBool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === 1 || value === "true" || value === "1") return true;
  if (value === 0 || value === "false" || value === "0") return false;
  return null;
}

/** The `status` output of the finalize action, wherever it sits (plain, or inside JSON text). */
function readFinalizeStatus(body: unknown, depth = 0): string | null {
  if (depth > 3) return null;
  let value = body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (value === null || typeof value !== "object") return null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes("@")) continue;
    if (key.toLowerCase() === "status" && (typeof item === "string" || typeof item === "number"))
      return String(item);
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes("@")) continue;
    const inner = readFinalizeStatus(item, depth + 1);
    if (inner !== null) return inner;
  }
  return null;
}

export function createEventManagementApi(
  client: DataverseClient,
  options: EventManagementApiOptions = {},
): EventManagementApi & {
  /** The finalize action name that answered last (after a fallback, the adx_ one). */
  readonly finalizeActionName: string;
} {
  const actions: EventManagementActionNames = {
    listDetailedPurchaseInfo:
      options.actions?.listDetailedPurchaseInfo ?? "msevtmgt_ListDetailedPurchaseInfo",
    getPurchaseDetails: options.actions?.getPurchaseDetails ?? "msevtmgt_GetPurchaseDetailsAction",
    finalize: options.actions?.finalize ?? [
      "msevtmgt_FinalizeExternalRegistrationRequest",
      "adx_FinalizeExternalRegistrationRequest",
    ],
    finalizeRtmPayment: options.actions?.finalizeRtmPayment ?? "msevtmgt_finalizeregistrationpayment",
  };
  const success = new Set((options.successStatuses ?? ["Success"]).map((s) => s.toLowerCase()));
  const aliases = mergeAliases(options.aliases);
  const entitySet = options.purchaseEntitySet ?? "msevtmgt_eventpurchases";
  const priceColumn = options.priceColumn ?? "msevtmgt_totalprice";
  const currencyExpand =
    options.currencyExpand ?? "TransactionCurrency_msevtmgt_eventpurchase($select=isocurrencycode)";
  const currencyNav = currencyExpand.split("(")[0] ?? currencyExpand;
  const maxFinalizeSends = options.maxFinalizeSends ?? 3;
  const log = options.log ?? silentLogger;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  let detailsViaFallback = false;
  let finalizeIndex = 0;
  let priceMode = options.purchasePrice ?? "auto";
  const finalizing = new Map<string, Promise<FinalizeOutcome>>();
  /** Purchases whose last finalize ended without a clear answer: the next call looks at the row first. */
  const uncertain = new Set<string>();

  async function callDetails(
    action: string,
    purchaseId: string,
    call: CallOptions,
  ): Promise<PurchaseDetails> {
    const response = await client.post(action, { PurchaseId: purchaseId }, { ...call, retryAmbiguous: true });
    if (isEmptyDetails(response.data)) {
      throw new DataverseError({
        status: 404,
        code: "PURCHASE_NOT_FOUND",
        message: `${action} returned nothing for purchase ${purchaseId}: it does not exist or has expired`,
        retryable: false,
        requestId: response.requestId,
        operation: `POST ${action}`,
      });
    }
    try {
      return parsePurchaseDetails(purchaseId, action, response.data, aliases);
    } catch (error) {
      if (error instanceof DataverseError) {
        log({
          level: "error",
          event: "dataverse.purchase.unparseable",
          purchaseId,
          action,
          rawBody: redactBody(response.data),
        });
      }
      throw error;
    }
  }

  async function getPurchaseDetails(rawId: string, call: CallOptions = {}): Promise<PurchaseDetails> {
    const purchaseId = normalizePurchaseId(rawId);
    try {
      if (!detailsViaFallback) {
        try {
          return await callDetails(actions.listDetailedPurchaseInfo, purchaseId, call);
        } catch (error) {
          if (!isSegmentNotFound(error)) throw error;
          detailsViaFallback = true;
          log({
            level: "warn",
            event: "dataverse.action.fallback",
            from: actions.listDetailedPurchaseInfo,
            to: actions.getPurchaseDetails,
          });
        }
      }
      return await callDetails(actions.getPurchaseDetails, purchaseId, call);
    } catch (error) {
      if (isSegmentNotFound(error)) {
        throw new DataverseError({
          status: 404,
          code: "ACTION_NOT_FOUND",
          message: `Neither ${actions.listDetailedPurchaseInfo} nor ${actions.getPurchaseDetails} exists in this environment: is the event management solution installed and the action name right?`,
          retryable: false,
          requestId: error.requestId,
          cause: error,
        });
      }
      if (error instanceof DataverseError && error.status === 404 && error.code !== "PURCHASE_NOT_FOUND") {
        throw new DataverseError({
          status: 404,
          code: "PURCHASE_NOT_FOUND",
          message: `Purchase ${purchaseId} was not found in Dataverse (${error.message})`,
          retryable: false,
          requestId: error.requestId,
          cause: error,
        });
      }
      throw error;
    }
  }

  async function readRow(
    purchaseId: string,
    withPrice: boolean,
    call: CallOptions,
  ): Promise<PurchaseRow | null> {
    const select = withPrice ? `${PROBE_SELECT},${priceColumn}` : PROBE_SELECT;
    const expand = withPrice ? `&$expand=${currencyExpand}` : "";
    try {
      const response = await client.get<Record<string, unknown>>(
        `${entitySet}(${purchaseId})?$select=${select}${expand}`,
        call,
      );
      const row = (response.data ?? {}) as Record<string, unknown>;
      let currency: string | null = null;
      let totalMinor: number | null = null;
      if (withPrice) {
        const nav = row[currencyNav];
        currency = normalizeCurrency(
          nav && typeof nav === "object" ? (nav as Record<string, unknown>)["isocurrencycode"] : undefined,
        );
        const total = row[priceColumn];
        totalMinor =
          currency !== null && total !== undefined && total !== null ? toMinorUnits(total, currency) : null;
      }
      const contact = row["_msevtmgt_purchasingcontactid_value"];
      const created = row["createdon"];
      return {
        purchaseId,
        paid: readBool(row["msevtmgt_paid"]),
        processed: readBool(row["msevtmgt_processed"]),
        createdOn: typeof created === "string" ? created : null,
        purchasingContactId: typeof contact === "string" ? contact.toLowerCase() : null,
        totalMinor,
        currency,
      };
    } catch (error) {
      if (error instanceof DataverseError && error.status === 404) return null;
      if (withPrice && priceMode === "auto" && error instanceof DataverseError && error.status === 400) {
        priceMode = "never";
        log({ level: "warn", event: "dataverse.purchase.price-columns-refused", code: error.code });
        return readRow(purchaseId, false, call);
      }
      throw error;
    }
  }

  async function readPurchase(rawId: string, call: CallOptions = {}): Promise<PurchaseRow | null> {
    return readRow(normalizePurchaseId(rawId), priceMode !== "never", call);
  }

  /** Settles an unclear finalize by reading the row: true when Dataverse already processed it. */
  async function probeProcessed(purchaseId: string, call: CallOptions): Promise<boolean> {
    const row = await readRow(purchaseId, false, call);
    log({
      level: "info",
      event: "dataverse.finalize.probe",
      purchaseId,
      processed: row?.processed ?? null,
      paid: row?.paid ?? null,
    });
    return row?.processed === true;
  }

  async function pauseBeforeResend(attempt: number, call: CallOptions, cause: unknown): Promise<void> {
    const delay = computeBackoff(attempt, random, { baseMs: 1000, maxMs: 30_000 });
    if (call.deadline !== undefined && now() + delay > call.deadline) {
      throw new DeadlineExceededError(
        `finalize: resending would wait ${delay} ms, past the deadline ${new Date(call.deadline).toISOString()}`,
        call.deadline,
        cause,
      );
    }
    await sleep(delay, call.signal);
  }

  async function finalizeOnce(input: FinalizeInput, call: CallOptions): Promise<FinalizeOutcome> {
    const purchaseId = normalizePurchaseId(input.purchaseId);
    const body = {
      PurchaseId: purchaseId,
      ReadableEventId: String(input.readableEventId),
      UserId: String(input.userId ?? ""),
    };
    let sends = 0;
    let otherStatusSeen: string | null | undefined;
    if (options.alwaysProbeFirst || uncertain.has(purchaseId)) {
      if (await probeProcessed(purchaseId, call)) {
        return { outcome: "finalized", status: null, actionName: actions.finalize[finalizeIndex] ?? "" };
      }
    }
    for (;;) {
      const action =
        actions.finalize[finalizeIndex] ??
        actions.finalize[0] ??
        "msevtmgt_FinalizeExternalRegistrationRequest";
      sends++;
      try {
        const response = await client.post(action, body, { ...call, retryAmbiguous: false });
        const status = readFinalizeStatus(response.data);
        if (status !== null && success.has(status.toLowerCase())) {
          log({
            level: "info",
            event: "dataverse.finalize.ok",
            purchaseId,
            action,
            status,
            requestId: response.requestId,
          });
          return { outcome: "finalized", status, actionName: action };
        }
        log({
          level: "warn",
          event: "dataverse.finalize.status",
          purchaseId,
          action,
          status,
          body: redactBody(response.data),
          requestId: response.requestId,
        });
        if (await probeProcessed(purchaseId, call))
          return { outcome: "finalized", status, actionName: action };
        if (otherStatusSeen !== undefined || sends >= maxFinalizeSends) {
          return {
            outcome: "rejected",
            status,
            reason: `${action} answered status ${JSON.stringify(status)} (expected one of ${[...success].join(", ")}) and the purchase is not processed`,
            code: null,
          };
        }
        otherStatusSeen = status;
        await pauseBeforeResend(sends - 1, call, undefined);
      } catch (error) {
        if (isSegmentNotFound(error) && finalizeIndex + 1 < actions.finalize.length) {
          finalizeIndex++;
          sends--;
          log({
            level: "warn",
            event: "dataverse.action.fallback",
            from: action,
            to: actions.finalize[finalizeIndex],
          });
          continue;
        }
        if (!(error instanceof DataverseError)) throw error;
        if (error.ambiguous) {
          // The request may have run: look before sending it again (never two registrations). Until
          // a call settles, later calls for this purchase look first too.
          uncertain.add(purchaseId);
          if (await probeProcessed(purchaseId, call))
            return { outcome: "finalized", status: null, actionName: action };
          if (sends >= maxFinalizeSends) throw error;
          await pauseBeforeResend(sends - 1, call, error);
          continue;
        }
        if (error.retryable) throw error;
        // A business or configuration refusal: unless the row says it is already done, the caller refunds.
        try {
          if (await probeProcessed(purchaseId, call))
            return { outcome: "finalized", status: null, actionName: action };
        } catch (probeError) {
          if (probeError instanceof DataverseError && !probeError.retryable) {
            log({
              level: "warn",
              event: "dataverse.finalize.probe-failed",
              purchaseId,
              code: probeError.code,
            });
          } else {
            throw probeError;
          }
        }
        return { outcome: "rejected", status: null, reason: error.message, code: error.code };
      }
    }
  }

  return {
    get finalizeActionName() {
      return actions.finalize[finalizeIndex] ?? "";
    },
    getPurchaseDetails,
    readPurchase,
    finalizeRegistration(input, call = {}) {
      const key = normalizeGuid(input.purchaseId) ?? input.purchaseId;
      const running = finalizing.get(key);
      if (running) return running;
      const pending = finalizeOnce(input, call).then((outcome) => {
        uncertain.delete(key);
        return outcome;
      });
      finalizing.set(key, pending);
      const clear = () => {
        if (finalizing.get(key) === pending) finalizing.delete(key);
      };
      pending.then(clear, clear);
      return pending;
    },
    async finalizeRtmPayment(rawId: string, status: RtmPaymentStatus, call: CallOptions = {}) {
      const purchaseId = normalizePurchaseId(rawId);
      const code = status === "completed" ? 100000001 : 100000000;
      const response = await client.post(
        actions.finalizeRtmPayment,
        { msevtmgt_purchaseid: purchaseId, msevtmgt_paymentstatus: code },
        { ...call, retryAmbiguous: options.retryRtmAmbiguous ?? true },
      );
      log({
        level: "info",
        event: "dataverse.rtm.finalized",
        purchaseId,
        status,
        httpStatus: response.status,
        requestId: response.requestId,
      });
    },
  };
}
