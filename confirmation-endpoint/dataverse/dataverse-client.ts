// The one Dataverse Web API client every caller uses (the endpoint and the admin scripts): OData
// headers, tokens per application user, retries for throttling and transient trouble, a cap on
// concurrent calls, and a caller's deadline that no pause may cross (spec §6).

import http from "node:http";
import https from "node:https";
import axios from "axios";
import type { AxiosInstance, AxiosResponse } from "axios";
import type { DataverseCredential } from "./credentials";
import { DataverseAuthError, DataverseConfigError, DataverseError, DeadlineExceededError } from "./errors";
import { silentLogger } from "./log";
import type { DataverseLogger } from "./log";
import { isThrottleError, parseDataverseError, readRequestId } from "./parse-error";
import { computeBackoff, isNotSentNetworkCode } from "./retry-policy";
import { createTokenProvider } from "./token-provider";
import type { TokenProvider } from "./token-provider";
import type { CallOptions } from "./types";
import { createUserPool } from "./user-pool";
import type { UserSlot } from "./user-pool";

export interface DataverseClientOptions {
  /** Organisation URL, e.g. https://contoso.crm.dynamics.com (http://127.0.0.1:<port> for a stand-in). */
  url: string;
  tenantId: string;
  clientId: string;
  /** One or several application users; calls are spread across them. */
  credentials: DataverseCredential[];
  /** Default https://login.microsoftonline.com. */
  authorityHost?: string | undefined;
  /** Default v9.2. */
  apiVersion?: string | undefined;
  /** Concurrent calls per application user (default 4; lowered to x-ms-dop-hint when Dataverse sends it). */
  maxConcurrency?: number | undefined;
  /** Per-attempt timeout (default 30 s), also capped by the caller's deadline. */
  timeoutMs?: number | undefined;
  /** Attempts for transient trouble (5xx, 408, network, timeout), counting the first. Default 5. */
  maxAttempts?: number | undefined;
  /** Throttled answers tolerated per call before giving up. Default 20. */
  maxThrottleRetries?: number | undefined;
  /** Backoff base and ceiling for transient trouble (default 500 ms, 30 s). */
  backoffBaseMs?: number | undefined;
  backoffMaxMs?: number | undefined;
  log?: DataverseLogger | undefined;
  now?: (() => number) | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
  /** For tests: replaces the token provider of each user. */
  createTokenProvider?: typeof createTokenProvider | undefined;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface RequestOptions extends CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Resend after an answer that may already have taken effect (timeout, 5xx, connection reset).
   * Default true, except for POST: the caller settles those (e.g. finalize probes the purchase).
   */
  retryAmbiguous?: boolean;
}

export interface DataverseResponse<T = unknown> {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON, the raw text when not JSON, null when empty. */
  data: T;
  requestId: string | undefined;
  /** The application user that made the call. */
  user: string;
}

export interface DataverseUserMetrics {
  label: string;
  inFlight: number;
  concurrencyCap: number;
  requests: number;
  throttles: number;
  tokenRequests: number;
  throttledUntil: number | null;
}

export interface DataverseClientMetrics {
  requests: number;
  retries: number;
  throttles: number;
  unauthorized: number;
  deadlineExceeded: number;
  failures: number;
  tokenRequests: number;
  users: DataverseUserMetrics[];
}

export interface DataverseClient {
  /** `<url>/api/data/<version>/` */
  readonly baseUrl: string;
  readonly apiVersion: string;
  request<T = unknown>(
    method: HttpMethod,
    path: string,
    options?: RequestOptions,
  ): Promise<DataverseResponse<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<DataverseResponse<T>>;
  post<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<DataverseResponse<T>>;
  patch<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<DataverseResponse<T>>;
  /** Gets a token for every application user (for /readyz and start-up checks). */
  checkTokens(options?: CallOptions): Promise<void>;
  metrics(): DataverseClientMetrics;
  /** Closes kept-alive sockets. */
  close(): void;
}

const ERROR_ANNOTATIONS =
  'odata.include-annotations="Microsoft.PowerApps.CDS.ErrorDetails*,Microsoft.PowerApps.CDS.HelpLink"';

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function validateOptions(options: DataverseClientOptions): string[] {
  const problems: string[] = [];
  try {
    const url = new URL(options.url);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
      problems.push(`url must be https (plain http only on 127.0.0.1/localhost); got ${url.protocol}`);
    }
  } catch {
    problems.push(`url is not a URL: "${options.url}" (expected https://<org>.crm.dynamics.com)`);
  }
  if (options.authorityHost !== undefined) {
    try {
      const host = new URL(options.authorityHost);
      if (host.protocol !== "https:" && !(host.protocol === "http:" && isLoopback(host.hostname))) {
        problems.push("authorityHost must be https (plain http only on 127.0.0.1/localhost)");
      }
    } catch {
      problems.push(`authorityHost is not a URL: "${options.authorityHost}"`);
    }
  }
  if (!options.tenantId?.trim()) problems.push("tenantId is missing (DATAVERSE_TENANT_ID)");
  if (!options.clientId?.trim() && options.credentials.some((c) => !c.clientId)) {
    problems.push("clientId is missing (DATAVERSE_CLIENT_ID)");
  }
  if (options.credentials.length === 0) {
    problems.push("no credential: give a client secret or a certificate for at least one application user");
  }
  options.credentials.forEach((credential, i) => {
    const hasSecret = typeof credential.clientSecret === "string" && credential.clientSecret !== "";
    const hasCert = credential.certificate !== undefined;
    if (hasSecret === hasCert) {
      problems.push(`credential ${i + 1}: give exactly one of a client secret or a certificate`);
    }
  });
  if (options.apiVersion !== undefined && !/^v\d+\.\d+$/.test(options.apiVersion)) {
    problems.push(`apiVersion must look like v9.2; got "${options.apiVersion}"`);
  }
  for (const key of ["maxConcurrency", "timeoutMs", "maxAttempts"] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      problems.push(`${key} must be a positive integer`);
  }
  return problems;
}

function isLoopback(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
}

function lowerHeaders(headers: AxiosResponse["headers"]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

function parseBody(text: unknown): unknown {
  if (typeof text !== "string") return text ?? null;
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function operationName(method: HttpMethod, path: string): string {
  return `${method} ${path.split("?")[0] ?? path}`;
}

export function createDataverseClient(options: DataverseClientOptions): DataverseClient {
  const problems = validateOptions(options);
  if (problems.length > 0) throw new DataverseConfigError(problems);

  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const log = options.log ?? silentLogger;
  const apiVersion = options.apiVersion ?? "v9.2";
  const orgUrl = options.url.replace(/\/+$/, "");
  const baseUrl = `${orgUrl}/api/data/${apiVersion}/`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const maxThrottleRetries = options.maxThrottleRetries ?? 20;
  const backoff = { baseMs: options.backoffBaseMs ?? 500, maxMs: options.backoffMaxMs ?? 30_000 };
  const makeTokens = options.createTokenProvider ?? createTokenProvider;
  const maxConcurrency = options.maxConcurrency ?? 4;

  const counters = {
    requests: 0,
    retries: 0,
    throttles: 0,
    unauthorized: 0,
    deadlineExceeded: 0,
    failures: 0,
  };
  const users = options.credentials.map((credential, i) => {
    const label = credential.label ?? `user${i + 1}`;
    const tokens: TokenProvider = makeTokens({
      credential,
      clientId: options.clientId,
      tenantId: options.tenantId,
      authorityHost: options.authorityHost ?? "https://login.microsoftonline.com",
      scope: `${orgUrl}/.default`,
      now,
      log,
      label,
      timeoutMs,
    });
    return { label, tokens, maxConcurrency };
  });
  const pool = createUserPool(users, { now, sleep });

  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  const axiosInstance: AxiosInstance = axios.create({
    baseURL: baseUrl,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    maxRedirects: 0,
    httpAgent,
    httpsAgent,
    proxy: false,
  });

  function deadlineError(
    operation: string,
    deadline: number,
    reason: string,
    cause: unknown,
  ): DeadlineExceededError {
    counters.deadlineExceeded++;
    return new DeadlineExceededError(
      `${operation}: ${reason}; the deadline ${new Date(deadline).toISOString()} allows no more waiting`,
      deadline,
      cause,
    );
  }

  /** Sleeps `ms` unless that ends past the deadline, in which case it throws at once. */
  async function pause(ms: number, operation: string, call: RequestOptions, cause: unknown): Promise<void> {
    if (call.deadline !== undefined && now() + ms > call.deadline) {
      throw deadlineError(operation, call.deadline, `the next retry would wait ${ms} ms`, cause);
    }
    await sleep(ms, call.signal);
  }

  async function sendOnce(
    user: UserSlot,
    token: string,
    method: HttpMethod,
    path: string,
    call: RequestOptions,
  ): Promise<AxiosResponse<string>> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      "OData-MaxVersion": "4.0",
      "OData-Version": "4.0",
      Prefer: ERROR_ANNOTATIONS,
      Authorization: `Bearer ${token}`,
      ...call.headers,
    };
    if (method === "GET") headers["If-None-Match"] ??= "null";
    const hasBody = call.body !== undefined;
    if (hasBody) headers["Content-Type"] = "application/json; charset=utf-8";
    let attemptTimeout = timeoutMs;
    if (call.deadline !== undefined)
      attemptTimeout = Math.min(attemptTimeout, Math.max(1, call.deadline - now()));
    counters.requests++;
    return axiosInstance.request<string>({
      method,
      url: path.replace(/^\/+/, ""),
      headers,
      data: hasBody ? JSON.stringify(call.body) : undefined,
      timeout: attemptTimeout,
      signal: call.signal,
      // keep the bearer token out of axios' own error objects' config as far as we can
      transitional: { clarifyTimeoutError: true },
    });
  }

  function networkError(error: unknown, operation: string): DataverseError {
    const code = (error as { code?: string }).code ?? "NETWORK_ERROR";
    const notSent = isNotSentNetworkCode(code);
    const timedOut = code === "ETIMEDOUT" || code === "ECONNABORTED";
    return new DataverseError({
      status: 0,
      code,
      message: `${operation}: ${timedOut ? "no answer in time" : `network error ${code}`} talking to Dataverse`,
      retryable: true,
      ambiguous: !notSent,
      operation,
      // drop axios' error (it holds the request config with the bearer token)
    });
  }

  async function request<T>(
    method: HttpMethod,
    path: string,
    call: RequestOptions = {},
  ): Promise<DataverseResponse<T>> {
    const operation = operationName(method, path);
    // GET, PATCH (an upsert), PUT and DELETE may be repeated; a POST (an action) may not.
    const retryAmbiguous = call.retryAmbiguous ?? method !== "POST";
    let transientAttempts = 0;
    let throttles = 0;
    let refreshed = false;
    let staleToken: string | undefined;
    let lastError: unknown;
    for (;;) {
      call.signal?.throwIfAborted();
      if (call.deadline !== undefined && now() >= call.deadline) {
        throw deadlineError(operation, call.deadline, "no successful answer yet", lastError);
      }
      let user: UserSlot;
      try {
        user = await pool.acquire({ deadline: call.deadline, signal: call.signal, operation, lastError });
      } catch (error) {
        if (error instanceof DeadlineExceededError) counters.deadlineExceeded++;
        throw error;
      }
      let response: AxiosResponse<string> | undefined;
      let failure: DataverseError | undefined;
      let token: string | undefined;
      try {
        token = await user.tokens.getToken(
          staleToken !== undefined ? { forceRefresh: true, staleToken } : undefined,
        );
        staleToken = undefined;
        response = await sendOnce(user, token, method, path, call);
      } catch (error) {
        if (error instanceof DataverseAuthError) {
          if (!error.retryable) {
            counters.failures++;
            throw error;
          }
          failure = new DataverseError({
            status: 0,
            code: error.code,
            message: error.message,
            retryable: true,
            ambiguous: false,
            operation,
            cause: error,
          });
        } else if (axios.isCancel(error) || call.signal?.aborted) {
          // not axios' error: its config carries the request headers, bearer token included
          throw call.signal?.reason ?? new Error(`${operation}: cancelled by the caller`);
        } else {
          failure = networkError(error, operation);
        }
      } finally {
        pool.release(user);
      }

      if (response) {
        const headers = lowerHeaders(response.headers);
        const dop = Number(headers["x-ms-dop-hint"]);
        if (Number.isFinite(dop) && dop > 0) pool.applyDopHint(user, dop);
        const data = parseBody(response.data);
        if (response.status >= 200 && response.status < 300) {
          return {
            status: response.status,
            headers,
            data: data as T,
            requestId: readRequestId(headers),
            user: user.label,
          };
        }
        failure = parseDataverseError({
          status: response.status,
          headers,
          body: data,
          operation,
          nowMs: now(),
        });
        if (response.status === 401) {
          counters.unauthorized++;
          if (!refreshed) {
            refreshed = true;
            staleToken = token;
            lastError = failure;
            log({
              level: "warn",
              event: "dataverse.unauthorized.refresh",
              operation,
              user: user.label,
              code: failure.code,
            });
            continue;
          }
          counters.failures++;
          throw new DataverseError({
            status: 401,
            code: failure.code,
            message: `${failure.message}. A fresh token was refused too: check that the app registration is an application user in this environment with the "Finalize RegistrationService" role.`,
            retryable: false,
            requestId: failure.requestId,
            operation,
          });
        }
        if (isThrottleError(failure)) {
          throttles++;
          counters.throttles++;
          lastError = failure;
          if (throttles > maxThrottleRetries) {
            counters.failures++;
            throw failure;
          }
          const waitMs = failure.retryAfterMs ?? computeBackoff(throttles - 1, random, backoff);
          if (call.deadline !== undefined && now() + waitMs > call.deadline) {
            pool.block(user, now() + waitMs);
            throw deadlineError(
              operation,
              call.deadline,
              `Dataverse throttled (${failure.code}) for ${waitMs} ms`,
              failure,
            );
          }
          pool.block(user, now() + waitMs);
          counters.retries++;
          log({
            level: "warn",
            event: "dataverse.throttled",
            operation,
            user: user.label,
            code: failure.code,
            retryAfterMs: waitMs,
            requestId: failure.requestId,
          });
          continue;
        }
      }

      if (failure === undefined) throw new Error("unreachable: neither response nor failure");
      lastError = failure;
      if (!failure.retryable || (failure.ambiguous && !retryAmbiguous)) {
        counters.failures++;
        log({
          level: failure.retryable ? "warn" : "info",
          event: "dataverse.failed",
          operation,
          user: user.label,
          status: failure.status,
          code: failure.code,
          ambiguous: failure.ambiguous,
          requestId: failure.requestId,
        });
        throw failure;
      }
      transientAttempts++;
      if (transientAttempts >= maxAttempts) {
        counters.failures++;
        throw failure;
      }
      const delay = failure.retryAfterMs ?? computeBackoff(transientAttempts - 1, random, backoff);
      log({
        level: "warn",
        event: "dataverse.retry",
        operation,
        user: user.label,
        status: failure.status,
        code: failure.code,
        attempt: transientAttempts,
        delayMs: delay,
        requestId: failure.requestId,
      });
      await pause(delay, operation, call, failure);
      counters.retries++;
    }
  }

  return {
    baseUrl,
    apiVersion,
    request,
    get: (path, call) => request("GET", path, call),
    post: (path, body, call) => request("POST", path, { ...call, body }),
    patch: (path, body, call) => request("PATCH", path, { ...call, body }),
    async checkTokens() {
      await Promise.all(pool.users.map((user) => user.tokens.getToken()));
    },
    metrics() {
      const at = now();
      const perUser = pool.users.map((user) => ({
        label: user.label,
        inFlight: user.inFlight,
        concurrencyCap: user.cap,
        requests: user.requests,
        throttles: user.throttles,
        tokenRequests: user.tokens.tokenRequests,
        throttledUntil: user.blockedUntil > at ? user.blockedUntil : null,
      }));
      return {
        ...counters,
        tokenRequests: perUser.reduce((sum, user) => sum + user.tokenRequests, 0),
        users: perUser,
      };
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
