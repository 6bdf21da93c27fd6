// Reads a Standard webhook batch from Adyen ({live, notificationItems: [{NotificationRequestItem}]})
// into the kit's events. Each item carries its own HMAC: a good item is kept even when another
// item of the batch is bad (the bad one is reported to the caller, who alerts); only a batch with
// no good item at all is refused. Pure: keys, mode and clock come in as arguments.
//
// Mapping (spec §2.1, INFERRED where Adyen leaves a choice to the merchant):
//   AUTHORISATION true        → paid ("approved" under manual capture); payment = pspReference,
//                               hosted page = additionalData.paymentLinkId
//   AUTHORISATION false       → ignored (refused; the payment link stays open for another try)
//   REFUND true               → refunded; payment = originalReference, refund = pspReference
//   REFUND false, REFUND_FAILED, REFUNDED_REVERSED → refund_failed
//   CANCELLATION true, CANCEL_OR_REFUND true → refunded (the money is back with the shopper)
//   CANCEL_OR_REFUND false    → refund_failed
//   CAPTURE, CAPTURE_FAILED, anything else → ignored (stored for the record)
// An authorisation without a payment link id was not taken through the kit's hosted page (another
// integration on the same merchant account): it is ignored, never refunded.

import { WebhookVerificationError } from "../errors";
import type { CurrencyExponents } from "../money";
import type { PaymentEvent, PaymentSignal } from "../types";
import { fromAdyenAmount } from "./currency";
import { verifyItemSignature } from "./hmac";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/** Adyen sends booleans as the strings "true"/"false"; a real boolean is read the same way. */
function flag(value: unknown): boolean | null {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return null;
}

export interface RejectedItem {
  index: number;
  reason: "BAD_HMAC" | "MISSING_HMAC" | "MALFORMED_ITEM";
}

export interface ParsedBatch {
  events: PaymentEvent[];
  rejected: RejectedItem[];
}

export interface BatchOptions {
  hmacKeys: readonly string[];
  /** The mode this endpoint accepts; null accepts both. */
  live: boolean | null;
  manualCapture: boolean;
  receivedAt: Date;
  exponents?: CurrencyExponents;
}

function readBatch(body: Uint8Array): { live: boolean | null; items: unknown[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    throw new WebhookVerificationError("MALFORMED", "Adyen webhook body is not UTF-8 JSON.", error);
  }
  if (!isRecord(parsed) || !Array.isArray(parsed["notificationItems"])) {
    throw new WebhookVerificationError(
      "MALFORMED",
      "Adyen webhook body has no notificationItems list; is the webhook of type Standard, JSON format?",
    );
  }
  return { live: flag(parsed["live"]), items: parsed["notificationItems"] };
}

/** Verify every item of a batch and map the good ones. Throws when the batch as a whole is untrusted. */
export function parseNotificationBatch(body: Uint8Array, options: BatchOptions): ParsedBatch {
  const batch = readBatch(body);
  if (options.live !== null && batch.live !== options.live) {
    throw new WebhookVerificationError(
      "LIVEMODE_MISMATCH",
      `Adyen sent a ${batch.live ? "live" : "test"} batch to an endpoint running in ${options.live ? "live" : "test"} mode; point the webhook at the matching endpoint.`,
    );
  }
  const events: PaymentEvent[] = [];
  const rejected: RejectedItem[] = [];
  batch.items.forEach((wrapper, index) => {
    const item = isRecord(wrapper) ? wrapper["NotificationRequestItem"] : null;
    if (!isRecord(item) || !text(item["pspReference"]) || !text(item["eventCode"])) {
      rejected.push({ index, reason: "MALFORMED_ITEM" });
      return;
    }
    const additional = isRecord(item["additionalData"]) ? item["additionalData"] : {};
    const signature = additional["hmacSignature"];
    if (signature === undefined || signature === null || signature === "") {
      rejected.push({ index, reason: "MISSING_HMAC" });
    } else if (!verifyItemSignature(item, signature, options.hmacKeys)) {
      rejected.push({ index, reason: "BAD_HMAC" });
    } else {
      events.push(mapNotificationItem(item, additional, batch.live === true, options));
    }
  });
  if (events.length === 0 && rejected.length > 0) {
    const reasons = [...new Set(rejected.map((r) => r.reason))].join(", ");
    throw new WebhookVerificationError(
      "BAD_SIGNATURE",
      `No item of the Adyen batch passed verification (${reasons}); check ADYEN_HMAC_KEYS against the webhook's HMAC key.`,
    );
  }
  return { events, rejected };
}

interface Meaning {
  signal: PaymentSignal;
  status: string;
  /** The item is about another payment (a refund or cancellation names it in originalReference). */
  modification: boolean;
}

function meaningOf(eventCode: string, success: boolean | null, linked: boolean, manual: boolean): Meaning {
  const ok = success === true;
  switch (eventCode) {
    case "AUTHORISATION":
      if (!ok) return { signal: "ignored", status: "refused", modification: false };
      if (!linked) return { signal: "ignored", status: "foreign", modification: false };
      return { signal: manual ? "approved" : "paid", status: "authorised", modification: false };
    case "REFUND":
      return {
        signal: ok ? "refunded" : "refund_failed",
        status: ok ? "refunded" : "refund_refused",
        modification: true,
      };
    case "REFUND_FAILED":
    case "REFUNDED_REVERSED":
      return { signal: "refund_failed", status: eventCode.toLowerCase(), modification: true };
    case "CANCELLATION":
      return {
        signal: ok ? "refunded" : "ignored",
        status: ok ? "cancelled" : "cancel_refused",
        modification: true,
      };
    case "CANCEL_OR_REFUND":
      return {
        signal: ok ? "refunded" : "refund_failed",
        status: ok ? "cancelled_or_refunded" : "cancel_or_refund_refused",
        modification: true,
      };
    case "CAPTURE":
      return { signal: "ignored", status: ok ? "captured" : "capture_refused", modification: true };
    default:
      return { signal: "ignored", status: eventCode.toLowerCase(), modification: true };
  }
}

function occurredAt(value: unknown, fallback: Date): Date {
  const parsed = typeof value === "string" ? new Date(value) : null;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : fallback;
}

/** One verified item in the kit's vocabulary. */
export function mapNotificationItem(
  item: Json,
  additional: Json,
  live: boolean,
  options: BatchOptions,
): PaymentEvent {
  const psp = text(item["pspReference"])!;
  const eventCode = text(item["eventCode"])!;
  const success = flag(item["success"]);
  const linkId = text(additional["paymentLinkId"]);
  const meaning = meaningOf(eventCode, success, linkId !== null, options.manualCapture);
  const original = text(item["originalReference"]);
  const isRefund = meaning.signal === "refunded" || meaning.signal === "refund_failed";
  return {
    provider: "adyen",
    dedupeKey: `adyen:${psp}:${eventCode}:${String(success)}`,
    type: eventCode,
    signal: meaning.signal,
    purchaseId: text(item["merchantReference"]),
    providerPaymentId: meaning.modification ? original : psp,
    providerSessionId: meaning.modification ? null : linkId,
    amount: fromAdyenAmount(item["amount"], options.exponents),
    live,
    occurredAt: occurredAt(item["eventDate"], options.receivedAt),
    ...(isRefund ? { providerRefundId: psp } : {}),
    providerStatus: meaning.status,
  };
}
