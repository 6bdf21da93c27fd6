// The payment provider stand-in: a node:http server speaking the subset of Stripe's API the kit
// uses (so the official `stripe` SDK works against it with only host/port/protocol set), a hosted
// checkout page, signed webhooks with retries and duplicates, and a dashboard. Nothing listens until
// `startProviderStandIn` is called.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiHandler, type HttpReply } from "./api-routes";
import { ApiError } from "./api-error";
import {
  declineSession,
  expireDueSessions,
  expireSession,
  paySession,
  type HostedOutcome,
} from "./checkout-sessions";
import { DASHBOARD_PATH, handleDashboard, type DashboardSource } from "./dashboard-page";
import { handleHostedPage, HOSTED_PAGE_PREFIX } from "./hosted-checkout-page";
import type { ChargeObject, EventObject, PaymentIntentObject, RefundObject, SessionObject } from "./objects";
import { createProviderContext } from "./provider-context";
import { silentLog, type ProviderLog } from "./provider-log";
import { openProviderStore, type DeliveryRow, type StoredEvent } from "./provider-store";
import { settleDueRefunds, type RefundOutcome } from "./refunds";
import {
  createWebhookDispatcher,
  DEFAULT_WEBHOOK_RETRY,
  type WebhookRetryOptions,
} from "./webhook-dispatcher";
import { readRequestBody } from "../read-request-body";

/** The API version the stand-in reports when a request names none (stripe@23's pinned version). */
const DEFAULT_API_VERSION = "2026-10-28.endive";
const MAX_BODY_BYTES = 1024 * 1024;

export class ProviderStandInError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProviderStandInError";
    this.code = code;
  }
}

export interface ProviderStandInOptions {
  /** Loopback only: the stand-in takes fake payments and must not be reachable from the network. */
  host?: "127.0.0.1";
  /** Default 0: the system picks a free port. */
  port?: number;
  /** SQLite file so a restart keeps the state; default in memory. */
  dbPath?: string;
  /** Where events are POSTed; null or absent = stored only, until `setWebhookUrl`. */
  webhookUrl?: string | null;
  /** The whsec_… secret webhooks are signed with (the endpoint verifies with the same one). */
  webhookSecret: string;
  /** Accept only this sk_test_… key; default any sk_test_… key. */
  apiKey?: string;
  /** Base clock, epoch ms (default Date.now). `advance` adds to it. */
  now?: () => number;
  /**
   * How `advance` (and the dashboard's clock button) moves time when the clock is shared with other
   * parts, e.g. the sandbox's one clock; default: the stand-in adds to its own offset over `now`.
   */
  advanceClock?: (ms: number) => void;
  log?: ProviderLog;
  webhookRetry?: Partial<WebhookRetryOptions>;
  /** Event types sent to the webhook URL ("*" or a trailing-* prefix allowed); default all. Others are only stored. */
  enabledEvents?: string[];
  /** Clock seconds before a refund set to "pending" or "failed" settles; default 5. */
  refundSettleSeconds?: number;
  /** How often the stand-in checks for expired sessions and due refunds in real time; 0 turns it off. Default 1000. */
  sweepIntervalMs?: number;
  apiVersion?: string;
}

export interface ProviderStateView {
  sessions(limit?: number): SessionObject[];
  paymentIntents(limit?: number): PaymentIntentObject[];
  charges(limit?: number): ChargeObject[];
  refunds(limit?: number): RefundObject[];
  /** Newest first, with their delivery state (none, pending, succeeded, failed). */
  events(limit?: number): StoredEvent[];
  /** Every delivery attempt, newest first. */
  deliveries(limit?: number): DeliveryRow[];
}

export interface ProviderStandIn {
  /** http://127.0.0.1:PORT */
  url: string;
  /** What STRIPE_API_BASE is set to (the same as `url`); give the SDK host/port/protocol from it. */
  apiBase: string;
  dashboardUrl: string;
  host: string;
  port: number;
  setWebhookUrl(url: string | null): void;
  /** Each of the next `count` events is delivered twice, as two independent requests. */
  duplicateNextWebhooks(count: number): void;
  /** The next `count` API requests answer `status` (default 500) without doing anything. */
  failNextApiRequests(count: number, status?: number): void;
  /**
   * Signs with `secret` from now on; with `keepPrevious`, webhooks carry a v1 signature for the old
   * secret too (as while a secret is being rolled), until the next call.
   */
  rotateWebhookSecret(secret: string, options?: { keepPrevious?: boolean }): void;
  /** Every API answer waits this long first (a slow provider, for timeout tests); 0 turns it off. */
  setApiLatency(ms: number): void;
  /** Outcomes of the next refunds, in order (then back to "succeeded" at once). */
  setNextRefundOutcomes(...outcomes: RefundOutcome[]): void;
  /** Current time on the stand-in's clock, epoch ms. */
  now(): number;
  /** Moves the clock forward and runs what became due (expiries, refund settlement). */
  advance(ms: number): void;
  /** Expires due sessions and settles due refunds now. */
  runDueWork(): { expiredSessions: string[]; settledRefunds: string[] };
  /** What the hosted page's Pay and Decline buttons do, without a browser. */
  pay(sessionId: string): HostedOutcome;
  decline(sessionId: string): HostedOutcome;
  /** Sends an existing event again (`copies` simultaneous series); false when unknown. */
  resendEvent(eventId: string, copies?: number): boolean;
  /** Resolves when no webhook is in flight, queued or waiting to be retried. */
  idle(): Promise<void>;
  state: ProviderStateView;
  close(): Promise<void>;
}

function validate(options: ProviderStandInOptions): string[] {
  const problems: string[] = [];
  if (
    typeof options.webhookSecret !== "string" ||
    !options.webhookSecret.startsWith("whsec_") ||
    options.webhookSecret.length < 16
  ) {
    problems.push(
      "webhookSecret must be a whsec_… string of at least 16 characters (the secret the endpoint verifies with).",
    );
  }
  if (options.apiKey !== undefined && !options.apiKey.startsWith("sk_test_")) {
    problems.push("apiKey must start with sk_test_: the stand-in is test mode only.");
  }
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    problems.push(`port must be an integer from 0 to 65535, got ${String(options.port)}.`);
  }
  if (options.webhookUrl !== undefined && options.webhookUrl !== null) {
    try {
      new URL(options.webhookUrl);
    } catch {
      problems.push(`webhookUrl is not an absolute URL: ${options.webhookUrl}.`);
    }
  }
  const retry = options.webhookRetry ?? {};
  if (
    retry.maxAttempts !== undefined &&
    (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1 || retry.maxAttempts > 50)
  ) {
    problems.push("webhookRetry.maxAttempts must be a whole number from 1 to 50.");
  }
  if (retry.concurrency !== undefined && (!Number.isInteger(retry.concurrency) || retry.concurrency < 1)) {
    problems.push("webhookRetry.concurrency must be a whole number of at least 1.");
  }
  return problems;
}

function send(response: ServerResponse, reply: HttpReply, head: boolean): void {
  response.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) });
  response.end(head ? undefined : reply.body);
}

export async function startProviderStandIn(options: ProviderStandInOptions): Promise<ProviderStandIn> {
  const problems = validate(options);
  if (problems.length > 0) {
    throw new ProviderStandInError(
      "INVALID_OPTIONS",
      `The payment provider stand-in cannot start:\n- ${problems.join("\n- ")}`,
    );
  }
  const log = options.log ?? silentLog;
  const baseNow = options.now ?? (() => Date.now());
  let offsetMs = 0;
  const nowMs = (): number => baseNow() + offsetMs;
  const nowSeconds = (): number => Math.floor(nowMs() / 1000);
  let webhookUrl: string | null = options.webhookUrl ?? null;
  let secrets: string[] = [options.webhookSecret];
  let apiLatencyMs = 0;
  let duplicates = 0;
  let apiFailures: Array<number> = [];
  let refundOutcomes: RefundOutcome[] = [];
  const enabled = options.enabledEvents ?? ["*"];
  const wanted = (type: string): boolean =>
    enabled.some(
      (pattern) =>
        pattern === "*" ||
        pattern === type ||
        (pattern.endsWith("*") && type.startsWith(pattern.slice(0, -1))),
    );
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  let baseUrl = "";

  const store = openProviderStore(options.dbPath ?? ":memory:");
  const dispatcher = createWebhookDispatcher({
    store,
    url: () => webhookUrl,
    secrets: () => secrets,
    nowMs,
    retry: { ...DEFAULT_WEBHOOK_RETRY, ...options.webhookRetry },
    log,
  });
  const context = createProviderContext({
    store,
    nowSeconds,
    baseUrl: () => baseUrl,
    defaultApiVersion: apiVersion,
    willDeliver: (type) => webhookUrl !== null && wanted(type),
    onEvent: (event: EventObject) => {
      if (webhookUrl === null || !wanted(event.type)) return;
      let copies = 1;
      if (duplicates > 0) {
        duplicates -= 1;
        copies = 2;
      }
      dispatcher.dispatch(event, copies);
    },
  });
  const refundPolicy = {
    settleSeconds: options.refundSettleSeconds ?? 5,
    takeNextOutcome: (): RefundOutcome => refundOutcomes.shift() ?? "succeeded",
  };
  const handleApi = createApiHandler({
    context,
    refundPolicy,
    defaultApiVersion: apiVersion,
    apiKey: options.apiKey,
    faults: { takeFailure: () => apiFailures.shift() ?? null },
  });

  const runDueWork = (): { expiredSessions: string[]; settledRefunds: string[] } => ({
    expiredSessions: expireDueSessions(context),
    settledRefunds: settleDueRefunds(context),
  });

  const state: ProviderStateView = {
    sessions: (limit = 1000) => store.allObjects<SessionObject>("checkout.session", limit),
    paymentIntents: (limit = 1000) => store.allObjects<PaymentIntentObject>("payment_intent", limit),
    charges: (limit = 1000) => store.allObjects<ChargeObject>("charge", limit),
    refunds: (limit = 1000) => store.allObjects<RefundObject>("refund", limit),
    events: (limit = 1000) => {
      const result = store.listEvents({}, { limit });
      return result === "unknown_cursor" ? [] : result.data;
    },
    deliveries: (limit = 1000) => store.listDeliveries(limit),
  };

  const resendEvent = (eventId: string, copies = 1): boolean => {
    const stored = store.getEvent(eventId);
    if (stored === undefined) return false;
    if (stored.delivery !== "succeeded") store.setEventDelivery(eventId, "pending");
    dispatcher.dispatch(stored.event, copies);
    return true;
  };

  const dashboardSource: DashboardSource = {
    nowMs,
    webhookUrl: () => webhookUrl,
    duplicatesPending: () => duplicates,
    sessions: state.sessions,
    paymentIntents: state.paymentIntents,
    refunds: state.refunds,
    events: state.events,
    deliveries: state.deliveries,
  };
  const advance = (ms: number): void => {
    if (!Number.isFinite(ms) || ms < 0)
      throw new ProviderStandInError("INVALID_ADVANCE", `advance takes a positive number of ms, got ${ms}.`);
    if (options.advanceClock === undefined) offsetMs += ms;
    else options.advanceClock(ms);
    runDueWork();
  };
  const dashboardActions = {
    resendEvent,
    advance,
    duplicateNextWebhooks: (count: number) => {
      duplicates += count;
    },
    expireSession: (id: string): string | null => {
      try {
        expireSession(context, id, null);
        return null;
      } catch (error) {
        if (error instanceof ApiError) return error.message;
        throw error;
      }
    },
  };

  async function route(request: IncomingMessage): Promise<HttpReply> {
    const method = request.method ?? "GET";
    const target = new URL(request.url ?? "/", "http://stand-in.invalid");
    const path = target.pathname;
    const query = target.search.startsWith("?") ? target.search.slice(1) : target.search;
    const body = await readRequestBody(request, MAX_BODY_BYTES);
    if (body === null) {
      return {
        status: 413,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          new ApiError({
            status: 413,
            type: "invalid_request_error",
            message: "Request body is larger than 1 MiB.",
          }).toBody(),
        ),
      };
    }
    if (path.startsWith("/v1/")) {
      if (apiLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, apiLatencyMs));
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(request.headers))
        headers[name] = Array.isArray(value) ? value.join(", ") : value;
      return handleApi({ method, path, query, headers, body });
    }
    // The hosted page and the dashboard post forms to themselves: a form from another site is refused.
    // Browsers say where a form came from in Sec-Fetch-Site; older ones only in Origin, which the
    // pages' no-referrer policy turns into "null" even for their own forms.
    const site = request.headers["sec-fetch-site"];
    const from = request.headers.origin;
    const foreign =
      site !== undefined
        ? site !== "same-origin" && site !== "none"
        : from !== undefined && from !== "null" && from !== baseUrl;
    if (method === "POST" && foreign) {
      return {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
        body: "Refused: the stand-in's pages post only from its own origin. Use the page's buttons.\n",
      };
    }
    if (path.startsWith(HOSTED_PAGE_PREFIX)) return handleHostedPage(context, { method, path, query, body });
    if (path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`)) {
      return handleDashboard(dashboardSource, dashboardActions, { method, path, query, body });
    }
    if (path === "/healthz") return { status: 200, headers: { "content-type": "text/plain" }, body: "ok\n" };
    if (path === "/") return { status: 303, headers: { location: DASHBOARD_PATH }, body: "" };
    return {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: "Not found. The dashboard is at /dashboard.\n",
    };
  }

  const server = createServer((request, response) => {
    const began = performance.now();
    route(request).then(
      (reply) => {
        send(response, reply, request.method === "HEAD");
        log.log("debug", "provider stand-in request", {
          method: request.method,
          path: (request.url ?? "").split("?")[0],
          status: reply.status,
          requestId: reply.headers["request-id"],
          durationMs: Math.round(performance.now() - began),
        });
      },
      (error: unknown) => {
        log.log("error", "provider stand-in request failed", {
          method: request.method,
          path: (request.url ?? "").split("?")[0],
          error,
        });
        const body = new ApiError({
          status: 500,
          type: "api_error",
          message: "The stand-in hit an internal error; see its log.",
        }).toBody();
        send(
          response,
          { status: 500, headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
          false,
        );
      },
    );
  });
  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (cause) {
    store.close();
    throw new ProviderStandInError(
      "LISTEN_FAILED",
      `The provider stand-in could not listen on ${host}:${options.port ?? 0}. Pick another port or 0.`,
      { cause },
    );
  }
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  // Deliveries a previous run left pending (file database) go out again.
  if (webhookUrl !== null) for (const event of store.pendingEvents()) dispatcher.dispatch(event, 1);

  const sweepMs = options.sweepIntervalMs ?? 1000;
  const sweeper =
    sweepMs > 0
      ? setInterval(() => {
          try {
            runDueWork();
          } catch (error) {
            log.log("error", "provider stand-in sweep failed", { error });
          }
        }, sweepMs)
      : null;
  sweeper?.unref();

  log.log("info", "payment provider stand-in listening", { url: baseUrl, webhookUrl });

  let closed = false;
  return {
    url: baseUrl,
    apiBase: baseUrl,
    dashboardUrl: `${baseUrl}${DASHBOARD_PATH}`,
    host,
    port,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    duplicateNextWebhooks(count) {
      duplicates += count;
    },
    failNextApiRequests(count, status = 500) {
      apiFailures = [...apiFailures, ...Array.from({ length: count }, () => status)];
    },
    rotateWebhookSecret(secret, rotation = {}) {
      if (!secret.startsWith("whsec_") || secret.length < 16) {
        throw new ProviderStandInError(
          "INVALID_SECRET",
          "rotateWebhookSecret needs a whsec_… secret of at least 16 characters.",
        );
      }
      secrets = rotation.keepPrevious === true ? [secret, secrets[0] ?? secret] : [secret];
    },
    setApiLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new ProviderStandInError("INVALID_LATENCY", `setApiLatency takes 0 or more ms, got ${ms}.`);
      apiLatencyMs = ms;
    },
    setNextRefundOutcomes(...outcomes) {
      refundOutcomes = [...outcomes];
    },
    now: nowMs,
    advance,
    runDueWork,
    pay: (id) => paySession(context, id),
    decline: (id) => declineSession(context, id),
    resendEvent,
    idle: () => dispatcher.idle(),
    state,
    async close() {
      if (closed) return;
      closed = true;
      if (sweeper !== null) clearInterval(sweeper);
      dispatcher.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
    },
  };
}
