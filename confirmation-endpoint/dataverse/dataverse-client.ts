// The one Dataverse Web API client every caller uses (the endpoint and the admin scripts): tokens
// per application user, a cap on concurrent calls, and transport retries (request/run-request.ts)
// within a caller's deadline that no pause may cross (spec §6). This file only assembles the parts.

import http from "node:http";
import https from "node:https";
import axios from "axios";
import type { DataverseCredential } from "./credentials";
import { DataverseConfigError } from "./errors";
import { silentLogger } from "./log";
import type { DataverseLogger } from "./log";
import { runRequest } from "./request/run-request";
import type { RequestContext, RequestCounters } from "./request/run-request";
import { sendRequest } from "./request/send-request";
import { validateClientOptions } from "./request/validate-client-options";
import { defaultSleep } from "./request/wait-retry-after";
import { createHoldSync, DEFAULT_SHARED_HOLD_REFRESH_MS, userHoldKey } from "./shared-holds";
import type { SharedUserHolds } from "./shared-holds";
import { createTokenProvider } from "./token-provider";
import type { CallOptions } from "./types";
import { createUserPool } from "./user-pool";
import type { UserPool } from "./user-pool";

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
  /**
   * Where instances using the same application users share Dataverse's throttling holds (the
   * endpoint passes its store). Absent: each 429 keeps only this process away (the scripts).
   */
  sharedHolds?: SharedUserHolds | undefined;
  /** How often (ms of `now`) a sending client re-reads the shared holds. Default 250. */
  sharedHoldRefreshMs?: number | undefined;
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
  /** When these were read, on the client's clock (the one throttledUntil is on). */
  at: number;
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

function createUsers(
  options: DataverseClientOptions,
  context: { now: () => number; log: DataverseLogger; timeoutMs: number },
) {
  const makeTokens = options.createTokenProvider ?? createTokenProvider;
  const orgUrl = options.url.replace(/\/+$/, "");
  return options.credentials.map((credential, i) => {
    const label = credential.label ?? `user${i + 1}`;
    const tokens = makeTokens({
      credential,
      clientId: options.clientId,
      tenantId: options.tenantId,
      authorityHost: options.authorityHost ?? "https://login.microsoftonline.com",
      scope: `${orgUrl}/.default`,
      label,
      ...context,
    });
    const key = userHoldKey(orgUrl, options, credential);
    return { label, key, tokens, maxConcurrency: options.maxConcurrency ?? 4 };
  });
}

function readMetrics(pool: UserPool, counters: RequestCounters, at: number): DataverseClientMetrics {
  const users = pool.users.map((user) => ({
    label: user.label,
    inFlight: user.inFlight,
    concurrencyCap: user.cap,
    requests: user.requests,
    throttles: user.throttles,
    tokenRequests: user.tokens.tokenRequests,
    throttledUntil: user.blockedUntil > at ? user.blockedUntil : null,
  }));
  return {
    at,
    ...counters,
    tokenRequests: users.reduce((sum, user) => sum + user.tokenRequests, 0),
    users,
  };
}

export function createDataverseClient(options: DataverseClientOptions): DataverseClient {
  const problems = validateClientOptions(options);
  if (problems.length > 0) throw new DataverseConfigError(problems);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const log = options.log ?? silentLogger;
  const apiVersion = options.apiVersion ?? "v9.2";
  const baseUrl = `${options.url.replace(/\/+$/, "")}/api/data/${apiVersion}/`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const holds = options.sharedHolds
    ? createHoldSync(options.sharedHolds, {
        refreshMs: options.sharedHoldRefreshMs ?? DEFAULT_SHARED_HOLD_REFRESH_MS,
        now,
        log,
      })
    : undefined;
  const pool = createUserPool(createUsers(options, { now, log, timeoutMs }), { now, sleep, holds });
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  const instance = axios.create({
    baseURL: baseUrl,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    maxRedirects: 0,
    httpAgent,
    httpsAgent,
    proxy: false,
  });
  const counters: RequestCounters = {
    requests: 0,
    retries: 0,
    throttles: 0,
    unauthorized: 0,
    deadlineExceeded: 0,
    failures: 0,
  };
  const ctx: RequestContext = {
    pool,
    send: (token, method, path, call) =>
      sendRequest({ axios: instance, token, method, path, call, timeoutMs, now }),
    counters,
    log,
    now,
    sleep,
    random: options.random ?? Math.random,
    maxAttempts: options.maxAttempts ?? 5,
    maxThrottleRetries: options.maxThrottleRetries ?? 20,
    backoff: { baseMs: options.backoffBaseMs ?? 500, maxMs: options.backoffMaxMs ?? 30_000 },
  };
  const request = <T>(method: HttpMethod, path: string, call: RequestOptions = {}) =>
    runRequest<T>(ctx, method, path, call);
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
    metrics: () => readMetrics(pool, counters, now()),
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
