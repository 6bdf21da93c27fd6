// Tells Dataverse's "not found" answers apart: a missing action or entity set (the URL segment; a
// setup problem) from a missing purchase (the id is unknown or its temporary registration is gone;
// the kit's typed PURCHASE_NOT_FOUND outcome).

import { DataverseError, PURCHASE_NOT_FOUND } from "./errors";

const NOT_FOUND_SEGMENT = "0x8006088a";

/**
 * One way Dataverse says "no such purchase". Every field given must match: `code` compared
 * case-insensitively, `message` tested against Dataverse's message and sub-code.
 */
export interface PurchaseNotFoundRule {
  status?: number;
  code?: string;
  message?: RegExp;
}

/**
 * What the kit treats as "no such purchase" unless configured otherwise. The real texts of the
 * event actions are unpublished (spec §5), so the plug-in rule is INFERRED and keyed on wording;
 * its code alone also covers other refusals (an expired purchase, a full event), which stay
 * refusals.
 */
export const DEFAULT_PURCHASE_NOT_FOUND_RULES: readonly PurchaseNotFoundRule[] = [
  // A plain 404 that is not about the URL segment, e.g. the row read of a missing purchase.
  { status: 404 },
  // ObjectDoesNotExist: "msevtmgt_eventpurchase With Id = … Does Not Exist".
  { code: "0x80040217" },
  // A plug-in refusal naming the missing purchase, e.g. 400 "Purchase … was not found" (the stand-in's answer).
  { code: "0x80040265", message: /\bnot (been )?found\b|does not exist|\bPurchaseNotFound\b/i },
];

/**
 * Reads rules written as text (`DATAVERSE_PURCHASE_NOT_FOUND`): rules separated by `;`, each a
 * status (`404`), a code (`0x80040217`), or a code and a message pattern (`0x80040265=not found`,
 * case-insensitive). Returns the rules and the problems, each naming the rule by its position.
 */
export function parsePurchaseNotFoundRules(text: string): {
  rules: PurchaseNotFoundRule[];
  problems: string[];
} {
  const rules: PurchaseNotFoundRule[] = [];
  const problems: string[] = [];
  const items = text
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  items.forEach((item, index) => {
    const where = `rule ${index + 1}`;
    if (/^\d{3}$/.test(item)) return void rules.push({ status: Number(item) });
    const [code = "", ...rest] = item.split("=");
    const pattern = rest.join("=").trim();
    if (!/^(0x[0-9a-f]{8}|[A-Za-z][\w.]*)$/i.test(code.trim()))
      return void problems.push(`${where}: start with an HTTP status (404) or a Dataverse code (0x80040265)`);
    if (!pattern) return void rules.push({ code: code.trim() });
    try {
      rules.push({ code: code.trim(), message: new RegExp(pattern, "i") });
    } catch {
      problems.push(`${where}: the message pattern after "=" is not a valid regular expression`);
    }
  });
  if (items.length === 0) problems.push("no rule given; leave the variable unset for the defaults");
  return { rules, problems };
}

function isMissingSegment(error: DataverseError): boolean {
  return error.status === 404 && error.code.toLowerCase() === NOT_FOUND_SEGMENT;
}

/** 404 0x8006088a "Resource not found for the segment …": the action or entity set does not exist. */
export function isSegmentNotFound(error: unknown): error is DataverseError {
  return error instanceof DataverseError && isMissingSegment(error);
}

function matches(error: DataverseError, rule: PurchaseNotFoundRule): boolean {
  if (rule.status !== undefined && error.status !== rule.status) return false;
  if (rule.code !== undefined && error.code.toLowerCase() !== rule.code.toLowerCase()) return false;
  if (rule.message !== undefined) {
    const text = `${error.message} ${error.subErrorCode ?? ""}`;
    if (!rule.message.test(text)) return false;
  }
  return rule.status !== undefined || rule.code !== undefined || rule.message !== undefined;
}

/** True when `error` is Dataverse saying the purchase does not exist (never a missing segment). */
export function isPurchaseMissing(
  error: unknown,
  rules: readonly PurchaseNotFoundRule[],
): error is DataverseError {
  if (!(error instanceof DataverseError) || isMissingSegment(error)) return false;
  if (error.code === PURCHASE_NOT_FOUND) return true;
  return rules.some((rule) => matches(error, rule));
}

/** The typed outcome: code PURCHASE_NOT_FOUND, status 404, Dataverse's answer kept as the cause. */
export function purchaseNotFound(purchaseId: string, cause: DataverseError): DataverseError {
  if (cause.code === PURCHASE_NOT_FOUND) return cause;
  return new DataverseError({
    status: 404,
    code: PURCHASE_NOT_FOUND,
    message: `Purchase ${purchaseId} was not found in Dataverse (${cause.message})`,
    hint: "check the purchase id, or register again: the temporary registration may have expired",
    retryable: false,
    requestId: cause.requestId,
    operation: cause.operation,
    cause,
  });
}
