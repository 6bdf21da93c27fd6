// Talks to the confirmation endpoint (DESIGN.md, HTTP contract): POST /v1/checkout and
// GET /v1/purchases/{id}/status. Answers are checked before the page shows anything from them.
import { EndpointHttpError, GatewayError } from "./errors";

export interface Attendee {
  name: string | null;
  passName: string | null;
  amountMinor: number | null;
}

export interface Checkout {
  eventName: string | null;
  amountMinor: number;
  currency: string;
  attendees: Attendee[];
  /** Epoch milliseconds after which the purchase can no longer be paid. */
  expiresAt: number;
  provider: string | null;
  redirectUrl: string;
}

const PURCHASE_STATUSES = [
  "awaiting_payment",
  "paid",
  "finalizing",
  "finalized",
  "refund_pending",
  "refunded",
  "expired",
  "failed",
] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

export interface StatusAnswer {
  status: PurchaseStatus;
  readableEventId: string | null;
  /** Optional machine reason for a refund or failure (e.g. "deadline_passed"), when the endpoint gives one. */
  reason: string | null;
}

export interface CheckoutRequest {
  purchaseId: string;
  readableEventId: string;
  /** Contact id of the signed-in attendee; left out for anonymous registration. */
  userId?: string;
  locale: string;
  returnUrl: string;
}

export interface EndpointClientDeps {
  endpointUrl: string;
  fetch: typeof fetch;
  setTimeout: (fn: () => void, ms: number) => number;
  clearTimeout: (id: number) => void;
  timeoutMs?: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const integer = (v: unknown): number | null => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : null;
};

function bad(what: string): GatewayError {
  return new GatewayError(
    "ENDPOINT_BAD_RESPONSE",
    `The endpoint's answer has no valid ${what}; check the endpoint version.`,
  );
}

function parseAttendee(raw: unknown): Attendee {
  const a = isObject(raw) ? raw : {};
  const joined = [text(a.firstName), text(a.lastName)].filter(Boolean).join(" ");
  const pass = isObject(a.pass) ? text(a.pass.name) : text(a.pass);
  return {
    name: text(a.name) ?? (joined || null),
    passName: text(a.passName) ?? pass,
    amountMinor: integer(a.amountMinor) ?? (isObject(a.amount) ? integer(a.amount.minor) : null),
  };
}

function parseTime(raw: unknown): number | null {
  if (typeof raw === "number" && Number.isFinite(raw)) return raw;
  if (typeof raw === "string") {
    const t = Date.parse(raw);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Checks a 200 answer of POST /v1/checkout and keeps only what the page shows or uses. */
function parseCheckout(body: unknown): Checkout {
  if (!isObject(body) || !isObject(body.purchase) || !isObject(body.payment))
    throw bad("purchase/payment objects");
  const p = body.purchase;
  const amount = isObject(p.amount) ? p.amount : {};
  const amountMinor = integer(amount.minor);
  if (amountMinor === null) throw bad("amount.minor");
  const currency = (text(amount.currency) ?? "").toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw bad("amount.currency");
  try {
    new Intl.NumberFormat("en", { style: "currency", currency });
  } catch (cause) {
    throw new GatewayError(
      "ENDPOINT_BAD_RESPONSE",
      `The endpoint's currency ${currency} is unknown to this browser.`,
      { cause },
    );
  }
  const expiresAt = parseTime(p.expiresAt);
  if (expiresAt === null) throw bad("purchase.expiresAt");
  const redirectUrl = text(body.payment.redirectUrl);
  let protocol = "";
  try {
    protocol = new URL(redirectUrl ?? "").protocol;
  } catch {
    /* reported below */
  }
  if (!redirectUrl || (protocol !== "https:" && protocol !== "http:")) throw bad("payment.redirectUrl");
  return {
    eventName: text(p.eventName),
    amountMinor,
    currency,
    attendees: Array.isArray(p.attendees) ? p.attendees.map(parseAttendee) : [],
    expiresAt,
    provider: text(body.payment.provider),
    redirectUrl,
  };
}

/** Checks an answer of GET /v1/purchases/{id}/status. */
function parseStatus(body: unknown): StatusAnswer {
  const status = isObject(body) ? body.status : undefined;
  if (!isObject(body) || !PURCHASE_STATUSES.includes(status as PurchaseStatus)) throw bad("status");
  return {
    status: status as PurchaseStatus,
    readableEventId: text(body.readableEventId),
    reason: text(body.reason),
  };
}

export function createEndpointClient(deps: EndpointClientDeps) {
  const timeoutMs = deps.timeoutMs ?? 15_000;

  async function call(path: string, init: RequestInit): Promise<unknown> {
    const controller = new AbortController();
    const timer = deps.setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    try {
      response = await deps.fetch(`${deps.endpointUrl}${path}`, {
        ...init,
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        signal: controller.signal,
      });
    } catch (cause) {
      throw new GatewayError("ENDPOINT_UNREACHABLE", `Could not reach ${deps.endpointUrl}${path}.`, {
        cause,
      });
    } finally {
      deps.clearTimeout(timer);
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok) {
      const error = isObject(body) && isObject(body.error) ? body.error : {};
      throw new EndpointHttpError(
        response.status,
        text(error.code),
        text(error.message) ?? `The endpoint answered ${response.status} to ${path}.`,
      );
    }
    return body;
  }

  return {
    async startCheckout(request: CheckoutRequest): Promise<Checkout> {
      const body = await call("/v1/checkout", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(request),
      });
      return parseCheckout(body);
    },
    async getStatus(purchaseId: string): Promise<StatusAnswer> {
      const body = await call(`/v1/purchases/${encodeURIComponent(purchaseId)}/status`, {
        method: "GET",
        headers: { Accept: "application/json" },
      });
      return parseStatus(body);
    },
  };
}

export type EndpointClient = ReturnType<typeof createEndpointClient>;
