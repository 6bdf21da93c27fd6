// The Stripe API subset, as a function from a request to a reply: authentication, form parsing,
// Idempotency-Key replay, routing, and Stripe's error bodies. The listener lives elsewhere.
import { createHash } from "node:crypto";
import { ApiError, invalidRequest } from "./api-error";
import { createRouteTable, type Route } from "./api-route-table";
import { FormBodyError, parseFormBody, type FormObject, type FormValue } from "./form-body";
import { createId } from "./ids";
import type { ProviderContext, RequestInfo } from "./provider-context";
import type { RefundPolicy } from "./refunds";

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

const unauthorized = (message: string): ApiError =>
  new ApiError({ status: 401, type: "invalid_request_error", message });

/** The key from `Authorization: Bearer sk_test_…` (or Basic, as some clients send it). */
function readApiKey(header: string): string {
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() === "bearer") return value ?? "";
  if (scheme?.toLowerCase() === "basic")
    return (
      Buffer.from(value ?? "", "base64")
        .toString("utf8")
        .split(":")[0] ?? ""
    );
  return "";
}

/** Stripe's 401 for a missing or wrong key; `apiKey` set = only that exact key is accepted. */
function authenticate(header: string | undefined, apiKey: string | undefined): ApiError | null {
  if (header === undefined || header.trim() === "") {
    return unauthorized(
      "You did not provide an API key. Send it as `Authorization: Bearer sk_test_…` (the SDK does this when constructed with the key).",
    );
  }
  const key = readApiKey(header);
  const shown = key.length > 12 ? `${key.slice(0, 8)}****${key.slice(-4)}` : "****";
  if (!key.startsWith("sk_test_")) {
    return unauthorized(
      `Invalid API Key provided: ${shown}. The stand-in is test mode only: use a key starting with sk_test_.`,
    );
  }
  if (apiKey !== undefined && key !== apiKey)
    return unauthorized(
      `Invalid API Key provided: ${shown}. Use the secret key the sandbox printed at start.`,
    );
  return null;
}

interface Call {
  request: ApiRequest;
  params: FormObject;
  route: Route;
  headers: Record<string, string>;
  info: RequestInfo;
  reply: (status: number, body: unknown) => HttpReply;
}

/** A saved answer to replay, a refusal for a reused or too long key, or null to run the request. */
function replayIdempotent(
  context: ProviderContext,
  call: Call,
  routeKey: string,
  fingerprint: string,
): HttpReply | ApiError | null {
  const key = call.info.idempotencyKey;
  if (key === null) return null;
  if (key.length > MAX_IDEMPOTENCY_KEY)
    return invalidRequest(
      `Idempotency-Key is ${key.length} characters long; the limit is ${MAX_IDEMPOTENCY_KEY}.`,
    );
  const saved = context.store.getIdempotent(key);
  if (saved === undefined) return null;
  if (saved.route !== routeKey || saved.fingerprint !== fingerprint) {
    return new ApiError({
      status: 400,
      type: "idempotency_error",
      message: `Keys for idempotent requests can only be reused with the same request: key '${key}' was first used for ${saved.route} with other parameters. Use a new key for a different request.`,
    });
  }
  return {
    status: saved.status,
    headers: { ...call.headers, "idempotent-replayed": "true" },
    body: saved.body,
  };
}

/** Runs the route; the operation and its saved idempotent answer commit together, or neither does. */
function runRoute(context: ProviderContext, call: Call): HttpReply {
  const { request, route, info, params } = call;
  const routeKey = `${request.method} ${request.path}`;
  const fingerprint = createHash("sha256").update(stableJson(params)).digest("hex");
  const replay = replayIdempotent(context, call, routeKey, fingerprint);
  if (replay instanceof ApiError) return call.reply(replay.status, replay.toBody());
  if (replay !== null) return replay;
  const match = route.pattern.exec(request.path) ?? [];
  try {
    const decoded = [...match].map((part) => decodeURIComponent(part));
    return context.atomically(() => {
      const answer = call.reply(200, route.run(params, decoded, info));
      if (info.idempotencyKey !== null) {
        context.store.putIdempotent(
          info.idempotencyKey,
          { route: routeKey, fingerprint, status: answer.status, body: answer.body },
          context.nowSeconds(),
        );
      }
      return answer;
    });
  } catch (error) {
    if (error instanceof ApiError) return call.reply(error.status, error.toBody());
    throw error;
  }
}

/** Authentication, injected faults, the form body and the route, in Stripe's order of refusals. */
function prepareCall(
  deps: ApiHandlerDeps,
  routes: Route[],
  request: ApiRequest,
): Omit<Call, "headers" | "info" | "reply"> | ApiError {
  const authError = authenticate(request.headers.authorization, deps.apiKey);
  if (authError !== null) return authError;
  const injected = deps.faults.takeFailure();
  if (injected !== null)
    return new ApiError({
      status: injected,
      type: "api_error",
      message: "Injected fault: the stand-in was told to fail this request. Retry it.",
    });
  let params: FormObject;
  try {
    params = parseFormBody(request.method === "GET" ? request.query : request.body);
  } catch (error) {
    if (error instanceof FormBodyError) return invalidRequest(error.message);
    throw error;
  }
  const route = routes.find(
    (candidate) => candidate.method === request.method && candidate.pattern.test(request.path),
  );
  if (route === undefined)
    return new ApiError({
      status: 404,
      type: "invalid_request_error",
      message: `Unrecognized request URL (${request.method}: ${request.path}). The stand-in serves only the Stripe calls the kit makes.`,
    });
  return { request, params, route };
}

export interface ApiHandlerDeps {
  context: ProviderContext;
  refundPolicy: RefundPolicy;
  faults: ApiFaults;
  defaultApiVersion: string;
  /** When set, only this exact secret key is accepted; otherwise any sk_test_… key is. */
  apiKey?: string | undefined;
}

export function createApiHandler(deps: ApiHandlerDeps): (request: ApiRequest) => HttpReply {
  const routes = createRouteTable(deps.context, deps.refundPolicy);
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
    const prepared = prepareCall(deps, routes, request);
    if (prepared instanceof ApiError) return reply(prepared.status, prepared.toBody());
    return runRoute(deps.context, {
      ...prepared,
      headers,
      reply,
      info: { requestId, idempotencyKey, apiVersion },
    });
  };
}
