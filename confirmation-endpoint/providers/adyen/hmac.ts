// The HMAC signature Adyen puts on each notification item (additionalData.hmacSignature): SHA-256
// over eight fields joined by ":" (pspReference, originalReference, merchantAccountCode,
// merchantReference, amount value, amount currency, eventCode, success; an absent field is an empty
// string), keyed with the hex-decoded HMAC key, base64-encoded. Several keys are tried in turn so a
// key can be rotated without losing notifications signed with the previous one.

import { createHmac, timingSafeEqual } from "node:crypto";

/** The fields the signature covers, as they appear in a NotificationRequestItem. */
export interface SignedItemFields {
  pspReference?: unknown;
  originalReference?: unknown;
  merchantAccountCode?: unknown;
  merchantReference?: unknown;
  amount?: { value?: unknown; currency?: unknown } | null;
  eventCode?: unknown;
  success?: unknown;
}

function field(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

/** The string Adyen signs for one item. */
export function signedData(item: SignedItemFields): string {
  return [
    item.pspReference,
    item.originalReference,
    item.merchantAccountCode,
    item.merchantReference,
    item.amount?.value,
    item.amount?.currency,
    item.eventCode,
    item.success,
  ]
    .map(field)
    .join(":");
}

/** A hex HMAC key as Adyen shows it in the Customer Area (an even number of hex digits). */
export function isHexKey(key: string): boolean {
  return key.length >= 32 && key.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(key);
}

/** The base64 signature of one item under one hex key (what Adyen sends; also used by the sandbox). */
export function signItem(item: SignedItemFields, hexKey: string): string {
  return createHmac("sha256", Buffer.from(hexKey, "hex")).update(signedData(item), "utf8").digest("base64");
}

/**
 * True when `signature` matches the item under any of `hexKeys`. Compared as decoded bytes, length
 * first, in constant time; a missing or non-base64 signature never matches.
 */
export function verifyItemSignature(
  item: SignedItemFields,
  signature: unknown,
  hexKeys: readonly string[],
): boolean {
  if (typeof signature !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const given = Buffer.from(signature, "base64");
  let matched = false;
  for (const key of hexKeys) {
    const expected = Buffer.from(signItem(item, key), "base64");
    // Every key is tried, so the time taken does not tell which key (or whether any) matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  return matched;
}
