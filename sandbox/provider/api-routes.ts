// The Stripe API subset, as a function from a request to a reply: authentication, form parsing,
// Idempotency-Key replay, routing, and Stripe's error bodies. The listener lives elsewhere.
import { createHash } from "node:crypto";
import { ApiError, invalidRequest, noSuchObject } from "./api-error";
import { createSession, expireSession, getSession, getSessionExtras } from "./checkout-sessions";
import { expandObject } from "./expand-object";
import { FormBodyError, parseFormBody, type FormObject, type FormValue } from "./form-body";
import { createId } from "./ids";
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

export interface ApiRequest {
  method: string;
  /** Path without the query string, e.g. /v1/checkout/sessions. */
  path: string;
  /** Query string without the leading "?". */
  query: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ApiFaults {
  /** The status to fail this request with, or null to serve it. Failed requests store no idempotent result. */
  takeFailure(): number | null;
}

const MAX_IDEMPOTENCY_KEY = 255;

function stableJson(value: FormValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson(value[key] as FormValue)}`).join(",")}}`;
}

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

type Route = {
  method: "GET" | "POST";
  pattern: RegExp;
  run: (params: FormObject, match: string[], request: RequestInfo) => unknown;
};

export function createApiHandler(deps: {
  context: ProviderContext;
  refundPolicy: RefundPolicy;
  faults: ApiFaults;
  defaultApiVersion: string;
  /** When set, only this exact secret key is accepted; otherwise any sk_test_… key is. */
  apiKey?: string | undefined;
}): (request: ApiRequest) => HttpReply {
  const { context } = deps;

  const retrieve = (params: FormObject, object: unknown, extra: string[] = []): unknown => {
    rejectUnknown(params, ["expand", ...extra]);
    return expandObject(context.store, object, readExpand(params));
  };

  const routes: Route[] = [
    {
      method: "POST",
      pattern: /^\/v1\/checkout\/sessions$/,
      run: (params, _m, request) =>
        expandObject(context.store, createSession(context, params, request), readExpand(params)),
    },
    {
      method: "GET",
      pattern: /^\/v1\/checkout\/sessions$/,
      run: (params) => {
        rejectUnknown(params, ["ending_before", "expand", "limit", "payment_intent", "starting_after"]);
        const page = readPage(params);
        const intent = optionalString(params.payment_intent, "payment_intent");
        const list = toList(
          "/v1/checkout/sessions",
          context.store.listObjects("checkout.session", page, intent),
          page,
        );
        const expand = readExpand(params).map((path) => path.replace(/^data\./, ""));
        return { ...list, data: list.data.map((item) => expandObject(context.store, item, expand)) };
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
      run: (params, m) => retrieve(params, getSession(context, m[1] ?? "")),
    },
    {
      method: "GET",
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/,
      run: (params, m) => {
        rejectUnknown(params, ["ending_before", "expand", "limit", "starting_after"]);
        const id = m[1] ?? "";
        getSession(context, id);
        const items = getSessionExtras(context, id).lineItems;
        return {
          object: "list",
          data: items,
          has_more: false,
          url: `/v1/checkout/sessions/${id}/line_items`,
        };
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
      run: (params, m, request) => {
        rejectUnknown(params, ["expand"]);
        return expandObject(context.store, expireSession(context, m[1] ?? "", request), readExpand(params));
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/payment_intents\/([^/]+)$/,
      run: (params, m) =>
        retrieve(
          params,
          getStored<PaymentIntentObject>(context, "payment_intent", "payment_intent", m[1] ?? ""),
          ["client_secret"],
        ),
    },
    {
      method: "GET",
      pattern: /^\/v1\/charges\/([^/]+)$/,
      run: (params, m) => retrieve(params, getStored<ChargeObject>(context, "charge", "charge", m[1] ?? "")),
    },
    {
      method: "POST",
      pattern: /^\/v1\/refunds$/,
      run: (params, _m, request) =>
        expandObject(
          context.store,
          createRefund(context, deps.refundPolicy, params, request),
          readExpand(params),
        ),
    },
    {
      method: "GET",
      pattern: /^\/v1\/refunds$/,
      run: (params) => {
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
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/refunds\/([^/]+)$/,
      run: (params, m) => retrieve(params, getRefund(context, m[1] ?? "")),
    },
    {
      method: "GET",
      pattern: /^\/v1\/events$/,
      run: (params) => {
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
        const list = toList(
          "/v1/events",
          result === "unknown_cursor"
            ? result
            : { data: result.data.map((row) => row.event), hasMore: result.hasMore },
          page,
        );
        return list;
      },
    },
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

  function authenticate(header: string | undefined): ApiError | null {
    const unauthorized = (message: string): ApiError =>
      new ApiError({ status: 401, type: "invalid_request_error", message });
    if (header === undefined || header.trim() === "") {
      return unauthorized(
        "You did not provide an API key. Send it as `Authorization: Bearer sk_test_…` (the SDK does this when constructed with the key).",
      );
    }
    let key = "";
    const [scheme, value] = header.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === "bearer") key = value ?? "";
    else if (scheme?.toLowerCase() === "basic")
      key =
        Buffer.from(value ?? "", "base64")
          .toString("utf8")
          .split(":")[0] ?? "";
    const shown = key.length > 12 ? `${key.slice(0, 8)}****${key.slice(-4)}` : "****";
    if (!key.startsWith("sk_test_")) {
      return unauthorized(
        `Invalid API Key provided: ${shown}. The stand-in is test mode only: use a key starting with sk_test_.`,
      );
    }
    if (deps.apiKey !== undefined && key !== deps.apiKey) {
      return unauthorized(
        `Invalid API Key provided: ${shown}. Use the secret key the sandbox printed at start.`,
      );
    }
    return null;
  }

  return function handleApiRequest(request: ApiRequest): HttpReply {
    const requestId = createId("req", 14);
    const apiVersion = request.headers["stripe-version"] ?? deps.defaultApiVersion;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "request-id": requestId,
      "stripe-version": apiVersion,
      "cache-control": "no-cache, no-store",
    };
    const idempotencyKey = request.method === "POST" ? (request.headers["idempotency-key"] ?? null) : null;
    if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
    const reply = (status: number, body: unknown): HttpReply => ({
      status,
      headers,
      body: JSON.stringify(body, null, 2),
    });
    const fail = (error: ApiError): HttpReply => reply(error.status, error.toBody());

    const authError = authenticate(request.headers.authorization);
    if (authError !== null) return fail(authError);

    const injected = deps.faults.takeFailure();
    if (injected !== null) {
      return fail(
        new ApiError({
          status: injected,
          type: "api_error",
          message: "Injected fault: the stand-in was told to fail this request. Retry it.",
        }),
      );
    }

    let params: FormObject;
    try {
      params = parseFormBody(request.method === "GET" ? request.query : request.body);
    } catch (error) {
      if (error instanceof FormBodyError) return fail(invalidRequest(error.message));
      throw error;
    }

    const route = routes.find(
      (candidate) => candidate.method === request.method && candidate.pattern.test(request.path),
    );
    if (route === undefined) {
      return fail(
        new ApiError({
          status: 404,
          type: "invalid_request_error",
          message: `Unrecognized request URL (${request.method}: ${request.path}). The stand-in serves only the Stripe calls the kit makes.`,
        }),
      );
    }

    const routeKey = `${request.method} ${request.path}`;
    const fingerprint = createHash("sha256").update(stableJson(params)).digest("hex");
    if (idempotencyKey !== null) {
      if (idempotencyKey.length > MAX_IDEMPOTENCY_KEY) {
        return fail(
          invalidRequest(
            `Idempotency-Key is ${idempotencyKey.length} characters long; the limit is ${MAX_IDEMPOTENCY_KEY}.`,
          ),
        );
      }
      const saved = context.store.getIdempotent(idempotencyKey);
      if (saved !== undefined) {
        if (saved.route !== routeKey || saved.fingerprint !== fingerprint) {
          return fail(
            new ApiError({
              status: 400,
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be reused with the same request: key '${idempotencyKey}' was first used for ${saved.route} with other parameters. Use a new key for a different request.`,
            }),
          );
        }
        return {
          status: saved.status,
          headers: { ...headers, "idempotent-replayed": "true" },
          body: saved.body,
        };
      }
    }

    const info: RequestInfo = { requestId, idempotencyKey, apiVersion };
    const match = route.pattern.exec(request.path) ?? [];
    let result: HttpReply;
    try {
      const decoded = [...match].map((part) => decodeURIComponent(part));
      // The operation and its saved idempotent answer commit together, or neither does.
      result = context.atomically(() => {
        const answer = reply(200, route.run(params, decoded, info));
        if (idempotencyKey !== null) {
          context.store.putIdempotent(
            idempotencyKey,
            { route: routeKey, fingerprint, status: answer.status, body: answer.body },
            context.nowSeconds(),
          );
        }
        return answer;
      });
    } catch (error) {
      if (error instanceof ApiError) return fail(error);
      throw error;
    }
    return result;
  };
}
