// Type guards for the v1 answers. The gateway page reads the endpoint's answers through these and
// nothing else, and the contract test runs the endpoint's real answers through the same guards,
// so a shape the server never sends is refused by the page, and a server that drifts fails a test.
// Extra fields are tolerated (an endpoint may add some); missing or mistyped ones are not.
import { PURCHASE_STATUSES, REASON_CODES } from "./v1";
import type {
  AttendeeLine,
  CheckoutAnswer,
  ErrorAnswer,
  PurchaseStatus,
  ReasonCode,
  StatusAnswer,
} from "./v1";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
const isTextOrNull = (v: unknown): v is string | null => v === null || typeof v === "string";
const isMinor = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isTime = (v: unknown): v is string => typeof v === "string" && !Number.isNaN(Date.parse(v));

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== "string") return false;
  try {
    const { protocol } = new URL(v);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

export function isPurchaseStatus(v: unknown): v is PurchaseStatus {
  return PURCHASE_STATUSES.includes(v as PurchaseStatus);
}

export function isReasonCode(v: unknown): v is ReasonCode {
  return REASON_CODES.includes(v as ReasonCode);
}

export function isAttendeeLine(v: unknown): v is AttendeeLine {
  return (
    isObject(v) &&
    isTextOrNull(v.name) &&
    isTextOrNull(v.passName) &&
    (v.amountMinor === null || isMinor(v.amountMinor))
  );
}

function isCheckoutPurchase(p: unknown): p is CheckoutAnswer["purchase"] {
  return (
    isObject(p) &&
    isText(p.purchaseId) &&
    typeof p.readableEventId === "string" &&
    isTextOrNull(p.eventName) &&
    isObject(p.amount) &&
    isMinor(p.amount.minor) &&
    typeof p.amount.currency === "string" &&
    /^[A-Z]{3}$/.test(p.amount.currency) &&
    Array.isArray(p.attendees) &&
    p.attendees.every(isAttendeeLine) &&
    isTime(p.expiresAt) &&
    isTime(p.deadlineAt)
  );
}

/** A 200 answer of POST /v1/checkout. */
export function isCheckoutAnswer(v: unknown): v is CheckoutAnswer {
  return (
    isObject(v) &&
    isCheckoutPurchase(v.purchase) &&
    isObject(v.payment) &&
    isText(v.payment.provider) &&
    isHttpUrl(v.payment.redirectUrl) &&
    isTime(v.payment.expiresAt)
  );
}

/** A 200 answer of GET /v1/purchases/{id}/status. */
export function isStatusAnswer(v: unknown): v is StatusAnswer {
  return (
    isObject(v) &&
    isPurchaseStatus(v.status) &&
    typeof v.readableEventId === "string" &&
    (v.confirmationUrl === undefined || isHttpUrl(v.confirmationUrl)) &&
    (v.reason === undefined || v.reason === null || isReasonCode(v.reason)) &&
    (v.longPollSeconds === undefined ||
      (typeof v.longPollSeconds === "number" && v.longPollSeconds > 0 && v.longPollSeconds <= 300))
  );
}

/** The `{ error: { code, message } }` body of every error answer. */
export function isErrorAnswer(v: unknown): v is ErrorAnswer {
  return isObject(v) && isObject(v.error) && isText(v.error.code) && typeof v.error.message === "string";
}
