// Reads the answer of msevtmgt_ListDetailedPurchaseInfo / msevtmgt_GetPurchaseDetailsAction, whose
// output names Microsoft never published (spec §5, open question 3): drop OData annotations,
// unwrap a single output holding JSON text or an object, match property names case-insensitively
// against configurable aliases, and fail closed when amount or currency cannot be resolved.

import { DataverseError } from "./errors";
import { normalizeCurrency, toMinorUnits } from "./minor-units";
import { redactBody } from "./redact";
import type { PurchaseDetails } from "./types";

export interface PurchaseAliases {
  amount: string[];
  currency: string[];
  eventName: string[];
  readableEventId: string[];
  attendees: string[];
  attendeeFirstName: string[];
  attendeeLastName: string[];
  attendeeFullName: string[];
  attendeeEmail: string[];
  attendeePassName: string[];
  attendeeAmount: string[];
}

export const DEFAULT_PURCHASE_ALIASES: PurchaseAliases = {
  amount: [
    "TotalAmount",
    "Amount",
    "Total",
    "TotalPrice",
    "TotalCost",
    "PurchaseAmount",
    "GrandTotal",
    "TotalValue",
    "Price",
    "msevtmgt_totalprice",
  ],
  currency: [
    "CurrencyIsoCode",
    "IsoCurrencyCode",
    "ISOCurrencyCode",
    "CurrencyCode",
    "CurrencyISO",
    "IsoCode",
    "Currency",
    "isocurrencycode",
  ],
  eventName: ["EventName", "EventTitle", "Event", "Name", "msevtmgt_name"],
  readableEventId: ["ReadableEventId", "EventReadableId", "msevtmgt_readableeventid"],
  attendees: ["Attendees", "AttendeeList", "PurchaseAttendees", "AttendeeDetails", "Registrations"],
  attendeeFirstName: ["FirstName", "GivenName", "msevtmgt_firstname"],
  attendeeLastName: ["LastName", "Surname", "FamilyName", "msevtmgt_lastname"],
  attendeeFullName: ["FullName", "Name", "AttendeeName", "msevtmgt_fullname"],
  attendeeEmail: ["Email", "EmailAddress", "EmailAddress1", "msevtmgt_emailaddress1"],
  attendeePassName: ["PassName", "Pass", "PassTitle", "PassType"],
  attendeeAmount: ["PassPrice", "Price", "Amount", "msevtmgt_passprice"],
};

/** Merges configured aliases in front of the defaults. */
export function mergeAliases(extra: Partial<PurchaseAliases> | undefined): PurchaseAliases {
  const out = { ...DEFAULT_PURCHASE_ALIASES };
  for (const key of Object.keys(out) as Array<keyof PurchaseAliases>) {
    const more = extra?.[key];
    if (more && more.length > 0) out[key] = [...more, ...DEFAULT_PURCHASE_ALIASES[key]];
  }
  return out;
}

type Bag = Record<string, unknown>;

function parseJsonText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (!(text.startsWith("{") || text.startsWith("["))) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

function isBag(value: unknown): value is Bag {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Drops OData annotations (`@odata.context`, `x@OData.Community…`). */
function withoutAnnotations(bag: Bag): Bag {
  const out: Bag = {};
  for (const [key, value] of Object.entries(bag)) if (!key.includes("@")) out[key] = value;
  return out;
}

function pick(bag: Bag, aliases: string[]): unknown {
  const lower = new Map<string, unknown>();
  for (const [key, value] of Object.entries(bag)) lower.set(key.toLowerCase(), value);
  for (const alias of aliases) {
    const value = lower.get(alias.toLowerCase());
    if (value !== undefined && value !== null && value !== "") return value;
  }
  return undefined;
}

/** Unwraps single outputs (object or JSON text) until a bag with more than one property, or an amount, shows. */
function unwrap(body: unknown, aliases: PurchaseAliases): Bag | null {
  let current = parseJsonText(body);
  for (let depth = 0; depth < 4; depth++) {
    if (Array.isArray(current) && current.length === 1) current = parseJsonText(current[0]);
    if (!isBag(current)) return null;
    const bag = withoutAnnotations(current);
    if (
      pick(bag, aliases.amount) !== undefined &&
      typeof parseJsonText(pick(bag, aliases.amount)) !== "object"
    )
      return bag;
    const entries = Object.values(bag);
    if (entries.length === 1) {
      current = parseJsonText(entries[0]);
      continue;
    }
    // Several outputs: the details may still sit in one of them (an object or JSON text).
    for (const value of entries) {
      const inner = parseJsonText(value);
      if (isBag(inner) && pick(withoutAnnotations(inner), aliases.amount) !== undefined)
        return withoutAnnotations(inner);
    }
    return bag;
  }
  return isBag(current) ? withoutAnnotations(current) : null;
}

function readText(value: unknown): string | null {
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

function readAttendees(bag: Bag, aliases: PurchaseAliases, currency: string): PurchaseDetails["attendees"] {
  const raw = parseJsonText(pick(bag, aliases.attendees));
  if (!Array.isArray(raw)) return [];
  return raw.map((item) => {
    const entry = isBag(item) ? withoutAnnotations(item) : {};
    const first = readText(pick(entry, aliases.attendeeFirstName));
    const last = readText(pick(entry, aliases.attendeeLastName));
    const joined = [first, last].filter((part) => part !== null).join(" ");
    const price = pick(entry, aliases.attendeeAmount);
    return {
      name: joined !== "" ? joined : readText(pick(entry, aliases.attendeeFullName)),
      email: readText(pick(entry, aliases.attendeeEmail)),
      passName: readText(pick(entry, aliases.attendeePassName)),
      amountMinor: price === undefined ? null : toMinorUnits(price, currency),
    };
  });
}

function unparseable(purchaseId: string, source: string, body: unknown, why: string): DataverseError {
  return new DataverseError({
    status: 200,
    code: "UNPARSEABLE_PURCHASE",
    message:
      `${source} answered for purchase ${purchaseId} but ${why}; refusing to charge an unknown amount. ` +
      "Add the output's property names to the purchase aliases (see README, Dataverse client) and keep the redacted body as a fixture.",
    retryable: false,
    operation: `POST ${source}`,
    detail: { rawBody: redactBody(body) },
  });
}

/** True when the answer holds no details at all (the purchase is unknown to the action). */
export function isEmptyDetails(body: unknown): boolean {
  if (body === null || body === undefined || body === "") return true;
  const parsed = parseJsonText(body);
  if (!isBag(parsed)) return false;
  const values = Object.values(withoutAnnotations(parsed));
  return values.length === 0 || values.every((v) => v === null || v === "" || v === "null" || v === "{}");
}

export function parsePurchaseDetails(
  purchaseId: string,
  source: string,
  body: unknown,
  aliases: PurchaseAliases = DEFAULT_PURCHASE_ALIASES,
): PurchaseDetails {
  const bag = unwrap(body, aliases);
  if (!bag) throw unparseable(purchaseId, source, body, "the answer is not an object");
  const currency = normalizeCurrency(pick(bag, aliases.currency));
  if (!currency) throw unparseable(purchaseId, source, body, "no ISO currency code was found");
  const rawAmount = pick(bag, aliases.amount);
  if (rawAmount === undefined) throw unparseable(purchaseId, source, body, "no total amount was found");
  const amountMinor = toMinorUnits(rawAmount, currency);
  if (amountMinor === null) {
    throw unparseable(purchaseId, source, body, `the amount is not a non-negative ${currency} amount`);
  }
  return {
    purchaseId,
    eventName: readText(pick(bag, aliases.eventName)),
    readableEventId: readText(pick(bag, aliases.readableEventId)),
    amountMinor,
    currency,
    attendees: readAttendees(bag, aliases, currency),
    source,
  };
}
