// The Stripe calls the stand-in answers, one route each: checkout sessions, payment intents,
// charges, refunds and events, with Stripe's list paging, expand and unknown-parameter checks.
import { noSuchObject, invalidRequest } from "./api-error";
import { createSession, expireSession, getSession, getSessionExtras } from "./checkout-sessions";
import { expandObject } from "./expand-object";
import type { FormObject } from "./form-body";
import type { ChargeObject, ListResult, PaymentIntentObject, StoredKind } from "./objects";
import type { ProviderContext, RequestInfo } from "./provider-context";
import type { PageRequest } from "./provider-store";
import {
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringList,
  rejectUnknown,
} from "./read-params";
import { createRefund, getRefund, type RefundPolicy } from "./refunds";

export type Route = {
  method: "GET" | "POST";
  pattern: RegExp;
  run: (params: FormObject, match: string[], request: RequestInfo) => unknown;
};

function readExpand(params: FormObject): string[] {
  return optionalStringList(params.expand, "expand") ?? [];
}

function readPage(params: FormObject): PageRequest {
  const limit = optionalInteger(params.limit, "limit") ?? 10;
  if (limit < 1 || limit > 100)
    throw invalidRequest(`Invalid limit: ${limit}. Use a number from 1 to 100.`, "limit");
  const startingAfter = optionalString(params.starting_after, "starting_after");
  const endingBefore = optionalString(params.ending_before, "ending_before");
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw invalidRequest("Give starting_after or ending_before, not both.", "starting_after");
  }
  return { limit, startingAfter, endingBefore };
}

function toList<T>(
  url: string,
  result: { data: T[]; hasMore: boolean } | "unknown_cursor",
  page: PageRequest,
): ListResult<T> {
  if (result === "unknown_cursor") {
    const cursor = page.startingAfter ?? page.endingBefore ?? "";
    throw noSuchObject(
      "object",
      cursor,
      page.startingAfter === undefined ? "ending_before" : "starting_after",
    );
  }
  return { object: "list", data: result.data, has_more: result.hasMore, url };
}

function readCreated(params: FormObject): { gt?: number; gte?: number; lt?: number; lte?: number } {
  const raw = params.created;
  if (raw === undefined) return {};
  if (typeof raw === "string") {
    const exact = optionalInteger(raw, "created");
    return exact === undefined ? {} : { gte: exact, lte: exact };
  }
  const range = optionalObject(raw, "created") ?? {};
  rejectUnknown(range, ["gt", "gte", "lt", "lte"], "created");
  const out: { gt?: number; gte?: number; lt?: number; lte?: number } = {};
  for (const key of ["gt", "gte", "lt", "lte"] as const) {
    const value = optionalInteger(range[key], `created[${key}]`);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function getStored<T>(context: ProviderContext, kind: StoredKind, label: string, id: string): T {
  const object = context.store.getObject<T>(kind, id);
  if (object === undefined) throw noSuchObject(label, id);
  return object;
}

function retrieve(
  context: ProviderContext,
  params: FormObject,
  object: unknown,
  extra: string[] = [],
): unknown {
  rejectUnknown(params, ["expand", ...extra]);
  return expandObject(context.store, object, readExpand(params));
}

function listSessions(context: ProviderContext, params: FormObject): unknown {
  rejectUnknown(params, ["created", "ending_before", "expand", "limit", "payment_intent", "starting_after"]);
  const page = readPage(params);
  const intent = optionalString(params.payment_intent, "payment_intent");
  const list = toList(
    "/v1/checkout/sessions",
    context.store.listObjects("checkout.session", page, intent, readCreated(params)),
    page,
  );
  const expand = readExpand(params).map((path) => path.replace(/^data\./, ""));
  return { ...list, data: list.data.map((item) => expandObject(context.store, item, expand)) };
}

function listLineItems(context: ProviderContext, params: FormObject, id: string): unknown {
  rejectUnknown(params, ["ending_before", "expand", "limit", "starting_after"]);
  getSession(context, id);
  const items = getSessionExtras(context, id).lineItems;
  return { object: "list", data: items, has_more: false, url: `/v1/checkout/sessions/${id}/line_items` };
}

function checkoutSessionRoutes(context: ProviderContext): Route[] {
  return [
    {
      method: "POST",
      pattern: /^\/v1\/checkout\/sessions$/,
      run: (params, _m, request) =>
        expandObject(context.store, createSession(context, params, request), readExpand(params)),
    },
    { method: "GET", pattern: /^\/v1\/checkout\/sessions$/, run: (params) => listSessions(context, params) },
    {
      method: "GET",
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
      run: (params, m) => retrieve(context, params, getSession(context, m[1] ?? "")),
    },
    {
      method: "GET",
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/,
      run: (params, m) => listLineItems(context, params, m[1] ?? ""),
    },
    {
      method: "POST",
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
      run: (params, m, request) => {
        rejectUnknown(params, ["expand"]);
        return expandObject(context.store, expireSession(context, m[1] ?? "", request), readExpand(params));
      },
    },
  ];
}

function listRefunds(context: ProviderContext, params: FormObject): unknown {
  rejectUnknown(params, [
    "charge",
    "created",
    "ending_before",
    "expand",
    "limit",
    "payment_intent",
    "starting_after",
  ]);
  const page = readPage(params);
  const intent = optionalString(params.payment_intent, "payment_intent");
  return toList("/v1/refunds", context.store.listObjects("refund", page, intent), page);
}

function paymentRoutes(context: ProviderContext, refundPolicy: RefundPolicy): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/v1\/payment_intents\/([^/]+)$/,
      run: (params, m) =>
        retrieve(
          context,
          params,
          getStored<PaymentIntentObject>(context, "payment_intent", "payment_intent", m[1] ?? ""),
          ["client_secret"],
        ),
    },
    {
      method: "GET",
      pattern: /^\/v1\/charges\/([^/]+)$/,
      run: (params, m) =>
        retrieve(context, params, getStored<ChargeObject>(context, "charge", "charge", m[1] ?? "")),
    },
    {
      method: "POST",
      pattern: /^\/v1\/refunds$/,
      run: (params, _m, request) =>
        expandObject(context.store, createRefund(context, refundPolicy, params, request), readExpand(params)),
    },
    { method: "GET", pattern: /^\/v1\/refunds$/, run: (params) => listRefunds(context, params) },
    {
      method: "GET",
      pattern: /^\/v1\/refunds\/([^/]+)$/,
      run: (params, m) => retrieve(context, params, getRefund(context, m[1] ?? "")),
    },
  ];
}

function listEvents(context: ProviderContext, params: FormObject): unknown {
  rejectUnknown(params, [
    "created",
    "delivery_success",
    "ending_before",
    "expand",
    "limit",
    "starting_after",
    "type",
    "types",
  ]);
  const page = readPage(params);
  const type = optionalString(params.type, "type");
  const types = optionalStringList(params.types, "types");
  if (type !== undefined && types !== undefined)
    throw invalidRequest("Give type or types, not both.", "types");
  const created = readCreated(params);
  const result = context.store.listEvents(
    {
      types: types ?? (type === undefined ? undefined : [type]),
      createdGt: created.gt,
      createdGte: created.gte,
      createdLt: created.lt,
      createdLte: created.lte,
      deliverySuccess: optionalBoolean(params.delivery_success, "delivery_success"),
    },
    page,
  );
  const events =
    result === "unknown_cursor"
      ? result
      : { data: result.data.map((row) => row.event), hasMore: result.hasMore };
  return toList("/v1/events", events, page);
}

function eventRoutes(context: ProviderContext): Route[] {
  return [
    { method: "GET", pattern: /^\/v1\/events$/, run: (params) => listEvents(context, params) },
    {
      method: "GET",
      pattern: /^\/v1\/events\/([^/]+)$/,
      run: (params, m) => {
        rejectUnknown(params, ["expand"]);
        const stored = context.store.getEvent(m[1] ?? "");
        if (stored === undefined) throw noSuchObject("event", m[1] ?? "");
        return stored.event;
      },
    },
  ];
}

export function createRouteTable(context: ProviderContext, refundPolicy: RefundPolicy): Route[] {
  return [
    ...checkoutSessionRoutes(context),
    ...paymentRoutes(context, refundPolicy),
    ...eventRoutes(context),
  ];
}
