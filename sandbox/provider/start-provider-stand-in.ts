// The payment provider stand-in: a loopback server speaking the subset of Stripe's API the kit
// uses (so the official `stripe` SDK works against it with only host/port/protocol set), a hosted
// checkout page, signed webhooks with retries and duplicates, and a dashboard. Nothing listens until
// `startProviderStandIn` is called; it serves through the endpoint's Request → Response adapter.
import { serveOnLoopback, type LoopbackServer } from "../serve-on-loopback";
import { declineSession, paySession, type HostedOutcome } from "./checkout-sessions";
import { DASHBOARD_PATH } from "./dashboard-page";
import { createProviderHandler } from "./handle-provider-request";
import {
  ProviderStandInError,
  validateProviderOptions,
  type ProviderStandInOptions,
} from "./provider-options";
import { createProviderRuntime, type ProviderRuntime } from "./provider-runtime";
import { createProviderViews, type ProviderStateView, type ProviderViews } from "./provider-views";
import type { RefundOutcome } from "./refunds";

export { ProviderStandInError, type ProviderStandInOptions } from "./provider-options";
export type { ProviderStateView } from "./provider-views";

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
  /** A refund made by a person in the dashboard (no kit metadata): all that is left, or `amountMinor`. */
  refundInDashboard(paymentIntentId: string, amountMinor?: number): { id: string; status: string };
  /** Sends an existing event again (`copies` simultaneous series); false when unknown. */
  resendEvent(eventId: string, copies?: number): boolean;
  /** Resolves when no webhook is in flight, queued or waiting to be retried. */
  idle(): Promise<void>;
  state: ProviderStateView;
  close(): Promise<void>;
}

export async function startProviderStandIn(options: ProviderStandInOptions): Promise<ProviderStandIn> {
  const problems = validateProviderOptions(options);
  if (problems.length > 0) {
    throw new ProviderStandInError(
      "INVALID_OPTIONS",
      `The payment provider stand-in cannot start:\n- ${problems.join("\n- ")}`,
    );
  }
  const runtime = createProviderRuntime(options);
  const views = createProviderViews(runtime, options);
  const { knobs, log, store, dispatcher } = runtime;
  const handler = createProviderHandler({
    context: runtime.context,
    handleApi: runtime.handleApi,
    dashboardSource: views.dashboardSource,
    dashboardActions: views.dashboardActions,
    baseUrl: () => knobs.baseUrl,
    apiLatencyMs: () => knobs.apiLatencyMs,
    log,
  });
  const host = options.host ?? "127.0.0.1";
  let server: LoopbackServer;
  try {
    server = await serveOnLoopback(handler, {
      host,
      port: options.port ?? 0,
      onError: (error) => log.log("error", "provider stand-in request failed", { error }),
    });
  } catch (cause) {
    store.close();
    throw new ProviderStandInError(
      "LISTEN_FAILED",
      `The provider stand-in could not listen on ${host}:${options.port ?? 0}. Pick another port or 0.`,
      { cause },
    );
  }
  knobs.baseUrl = server.url;

  // Deliveries a previous run left pending (file database) go out again.
  if (knobs.webhookUrl !== null) for (const event of store.pendingEvents()) dispatcher.dispatch(event, 1);
  const stopSweeper = startSweeper(runtime, options.sweepIntervalMs ?? 1000);
  log.log("info", "payment provider stand-in listening", { url: server.url, webhookUrl: knobs.webhookUrl });

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    stopSweeper();
    dispatcher.close();
    await server.close();
    store.close();
  };
  return { ...describeServer(server, host), ...controls(runtime, views), close };
}

/** Expires sessions and settles refunds in real time, every `sweepMs` (0 = never); answers the stop. */
function startSweeper(runtime: ProviderRuntime, sweepMs: number): () => void {
  if (sweepMs <= 0) return () => undefined;
  const sweeper = setInterval(() => {
    try {
      runtime.runDueWork();
    } catch (error) {
      runtime.log.log("error", "provider stand-in sweep failed", { error });
    }
  }, sweepMs);
  sweeper.unref();
  return () => clearInterval(sweeper);
}

function describeServer(server: LoopbackServer, host: string) {
  return {
    url: server.url,
    apiBase: server.url,
    dashboardUrl: `${server.url}${DASHBOARD_PATH}`,
    host,
    port: server.port,
  };
}

/** The knobs and actions a test or the sandbox uses while the stand-in runs. */
function controls(runtime: ProviderRuntime, views: ProviderViews) {
  const { knobs, context, dispatcher } = runtime;
  return {
    setWebhookUrl(url: string | null) {
      knobs.webhookUrl = url;
    },
    duplicateNextWebhooks(count: number) {
      knobs.duplicates += count;
    },
    failNextApiRequests(count: number, status = 500) {
      knobs.apiFailures = [...knobs.apiFailures, ...Array.from({ length: count }, () => status)];
    },
    rotateWebhookSecret(secret: string, rotation: { keepPrevious?: boolean } = {}) {
      if (!secret.startsWith("whsec_") || secret.length < 16) {
        throw new ProviderStandInError(
          "INVALID_SECRET",
          "rotateWebhookSecret needs a whsec_… secret of at least 16 characters.",
        );
      }
      knobs.secrets = rotation.keepPrevious === true ? [secret, knobs.secrets[0] ?? secret] : [secret];
    },
    setApiLatency(ms: number) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new ProviderStandInError("INVALID_LATENCY", `setApiLatency takes 0 or more ms, got ${ms}.`);
      knobs.apiLatencyMs = ms;
    },
    setNextRefundOutcomes(...outcomes: RefundOutcome[]) {
      knobs.refundOutcomes = [...outcomes];
    },
    now: runtime.nowMs,
    advance: views.advance,
    runDueWork: runtime.runDueWork,
    pay: (id: string): HostedOutcome => paySession(context, id),
    decline: (id: string): HostedOutcome => declineSession(context, id),
    resendEvent: views.resendEvent,
    refundInDashboard: views.refundInDashboard,
    idle: () => dispatcher.idle(),
    state: views.state,
  };
}
