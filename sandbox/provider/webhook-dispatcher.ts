// Sends events to the configured webhook URL the way Stripe does: a JSON POST signed with
// `Stripe-Signature`, retried with exponential backoff on a non-2xx answer, a timeout or a network
// error, up to a bounded number of attempts. Each delivery series is independent, so sending an
// event twice ("duplicate") gives the receiver two separate, identically-bodied requests.
import type { EventObject } from "./objects";
import type { ProviderStore } from "./provider-store";
import { postWebhook, type PostOutcome } from "./post-webhook";
import type { ProviderLog } from "./provider-log";

export interface WebhookRetryOptions {
  /** Attempts per delivery series, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles after each failure up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Multiplies every wait (0.001 turns seconds into milliseconds for fast tests and benchmarks). */
  timeScale: number;
  /** How long one attempt may take before it counts as failed. */
  timeoutMs: number;
  /** Attempts in flight at once; the rest wait their turn. */
  concurrency: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryOptions = {
  maxAttempts: 6,
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  timeScale: 1,
  timeoutMs: 10_000,
  concurrency: 32,
};

export interface WebhookDispatcher {
  /** Starts `copies` independent delivery series of `event`. */
  dispatch(event: EventObject, copies?: number): void;
  /** Resolves when nothing is in flight, queued or waiting for a retry. */
  idle(): Promise<void>;
  /** Cancels waiting retries and in-flight attempts. */
  close(): void;
}

/** The wait before attempt `attempt + 1`, after `attempt` failures. */
export function retryDelayMs(options: WebhookRetryOptions, attempt: number): number {
  const base = Math.min(options.initialDelayMs * 2 ** (attempt - 1), options.maxDelayMs);
  return base * options.timeScale;
}

interface DispatcherOptions {
  store: ProviderStore;
  url: () => string | null;
  /** The active signing secrets, newest first (two while one is being rolled). */
  secrets: () => readonly string[];
  nowMs: () => number;
  retry: WebhookRetryOptions;
  log: ProviderLog;
}

/** Runs at most `concurrency` tasks at once; the rest wait in order. */
function createSlots(concurrency: number) {
  const queue: Array<() => void> = [];
  let running = 0;
  return {
    run(task: () => Promise<void>): void {
      const start = (): void => {
        running += 1;
        void task().finally(() => {
          running -= 1;
          queue.shift()?.();
        });
      };
      if (running < concurrency) start();
      else queue.push(start);
    },
    clear: () => {
      queue.length = 0;
    },
  };
}

/** One attempt: POST, then record and log it (unless the dispatcher closed meanwhile). True when 2xx. */
async function attemptOnce(
  options: DispatcherOptions,
  controllers: Set<AbortController>,
  isClosed: () => boolean,
  delivery: { event: EventObject; series: number; attempt: number },
): Promise<boolean> {
  const { store, log } = options;
  const { event, series, attempt } = delivery;
  const url = options.url();
  const startedAt = options.nowMs();
  const began = performance.now();
  let outcome: PostOutcome = { status: null, error: "no webhook URL is configured" };
  if (url !== null) {
    const payload = JSON.stringify(store.getEvent(event.id)?.event ?? event, null, 2);
    const signing = { secrets: options.secrets(), nowSeconds: Math.floor(options.nowMs() / 1000) };
    outcome = await postWebhook(url, payload, signing, options.retry.timeoutMs, controllers);
  }
  const { status, error } = outcome;
  const durationMs = Math.round(performance.now() - began);
  const ok = status !== null && status >= 200 && status < 300;
  if (isClosed()) return true;
  store.recordDelivery({ eventId: event.id, series, attempt, url, status, error, startedAt, durationMs });
  if (ok) store.setEventDelivery(event.id, "succeeded");
  log.log(ok ? "info" : "warn", ok ? "webhook delivered" : "webhook delivery failed", {
    eventId: event.id,
    eventType: event.type,
    series,
    attempt,
    status,
    error,
    durationMs,
  });
  return ok;
}

export function createWebhookDispatcher(options: DispatcherOptions): WebhookDispatcher {
  const { store, retry, log } = options;
  const timers = new Set<NodeJS.Timeout>();
  const controllers = new Set<AbortController>();
  const slots = createSlots(retry.concurrency);
  const seriesCount = new Map<string, number>();
  let outstanding = 0;
  let closed = false;
  let waiters: Array<() => void> = [];
  const wakeWaiters = (): void => {
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  function settleOne(): void {
    if (closed) return;
    outstanding -= 1;
    if (outstanding === 0) wakeWaiters();
  }

  function runSeries(event: EventObject, series: number, attempt: number): void {
    slots.run(async () => {
      if (closed) return settleOne();
      const ok = await attemptOnce(options, controllers, () => closed, { event, series, attempt });
      if (ok || closed) return settleOne();
      if (attempt >= retry.maxAttempts) {
        if (store.getEvent(event.id)?.delivery !== "succeeded") store.setEventDelivery(event.id, "failed");
        log.log("warn", "webhook delivery gave up", {
          eventId: event.id,
          eventType: event.type,
          series,
          attempts: attempt,
        });
        return settleOne();
      }
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          runSeries(event, series, attempt + 1);
        },
        retryDelayMs(retry, attempt),
      );
      timers.add(timer);
    });
  }

  return {
    dispatch(event, copies = 1) {
      if (closed) return;
      for (let i = 0; i < copies; i += 1) {
        const series = (seriesCount.get(event.id) ?? 0) + 1;
        seriesCount.set(event.id, series);
        outstanding += 1;
        runSeries(event, series, 1);
      }
    },
    idle() {
      if (outstanding === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const controller of controllers) controller.abort();
      slots.clear();
      outstanding = 0;
      wakeWaiters();
    },
  };
}
