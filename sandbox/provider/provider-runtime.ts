// Everything the provider stand-in runs on, built before it listens: its clock, the knobs a test
// turns while it runs, the SQLite store, the webhook dispatcher, the operation context and the API
// handler. Its views (state, dashboard) are built on top of it in provider-views.ts.
import { createApiHandler } from "./api-routes";
import { expireDueSessions } from "./checkout-sessions";
import type { EventObject } from "./objects";
import { createProviderContext } from "./provider-context";
import { silentLog } from "./provider-log";
import type { ProviderStandInOptions } from "./provider-options";
import { openProviderStore } from "./provider-store";
import { settleDueRefunds, type RefundOutcome } from "./refunds";
import { createWebhookDispatcher, DEFAULT_WEBHOOK_RETRY } from "./webhook-dispatcher";

/** The API version the stand-in reports when a request names none (stripe@23's pinned version). */
const DEFAULT_API_VERSION = "2026-10-28.endive";

/** What tests and the dashboard change while the stand-in runs. */
export interface ProviderKnobs {
  webhookUrl: string | null;
  secrets: string[];
  apiLatencyMs: number;
  /** How many of the next events go out twice. */
  duplicates: number;
  apiFailures: number[];
  refundOutcomes: RefundOutcome[];
  /** The stand-in's origin, known once it listens. */
  baseUrl: string;
  /** Added to the base clock when no shared clock is passed in. */
  offsetMs: number;
}

/** Event types sent to the webhook URL: "*", an exact type or a trailing-* prefix. */
function eventFilter(enabled: string[]): (type: string) => boolean {
  return (type) =>
    enabled.some(
      (pattern) =>
        pattern === "*" ||
        pattern === type ||
        (pattern.endsWith("*") && type.startsWith(pattern.slice(0, -1))),
    );
}

export function createProviderRuntime(options: ProviderStandInOptions) {
  const log = options.log ?? silentLog;
  const baseNow = options.now ?? (() => Date.now());
  const knobs: ProviderKnobs = {
    webhookUrl: options.webhookUrl ?? null,
    secrets: [options.webhookSecret],
    apiLatencyMs: 0,
    duplicates: 0,
    apiFailures: [],
    refundOutcomes: [],
    baseUrl: "",
    offsetMs: 0,
  };
  const nowMs = (): number => baseNow() + knobs.offsetMs;
  const wanted = eventFilter(options.enabledEvents ?? ["*"]);
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  const store = openProviderStore(options.dbPath ?? ":memory:");
  const dispatcher = createWebhookDispatcher({
    store,
    url: () => knobs.webhookUrl,
    secrets: () => knobs.secrets,
    nowMs,
    retry: { ...DEFAULT_WEBHOOK_RETRY, ...options.webhookRetry },
    log,
  });
  const context = createProviderContext({
    store,
    nowSeconds: () => Math.floor(nowMs() / 1000),
    baseUrl: () => knobs.baseUrl,
    defaultApiVersion: apiVersion,
    willDeliver: (type) => knobs.webhookUrl !== null && wanted(type),
    onEvent: (event: EventObject) => {
      if (knobs.webhookUrl === null || !wanted(event.type)) return;
      const copies = knobs.duplicates > 0 ? 2 : 1;
      if (knobs.duplicates > 0) knobs.duplicates -= 1;
      dispatcher.dispatch(event, copies);
    },
  });
  const refundPolicy = {
    settleSeconds: options.refundSettleSeconds ?? 5,
    takeNextOutcome: (): RefundOutcome => knobs.refundOutcomes.shift() ?? "succeeded",
  };
  const handleApi = createApiHandler({
    context,
    refundPolicy,
    defaultApiVersion: apiVersion,
    apiKey: options.apiKey,
    faults: { takeFailure: () => knobs.apiFailures.shift() ?? null },
  });
  const runDueWork = (): { expiredSessions: string[]; settledRefunds: string[] } => ({
    expiredSessions: expireDueSessions(context),
    settledRefunds: settleDueRefunds(context),
  });
  return { log, knobs, nowMs, store, dispatcher, context, handleApi, runDueWork, refundPolicy };
}

export type ProviderRuntime = ReturnType<typeof createProviderRuntime>;
