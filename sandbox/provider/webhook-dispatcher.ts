// Sends events to the configured webhook URL the way Stripe does: a JSON POST signed with
// `Stripe-Signature`, retried with exponential backoff on a non-2xx answer, a timeout or a network
// error, up to a bounded number of attempts. Each delivery series is independent, so sending an
// event twice ("duplicate") gives the receiver two separate, identically-bodied requests.
import type { EventObject } from "./objects";
import type { ProviderStore } from "./provider-store";
import { signWebhookPayload } from "./sign-webhook";
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

export function createWebhookDispatcher(options: {
  store: ProviderStore;
  url: () => string | null;
  /** The active signing secrets, newest first (two while one is being rolled). */
  secrets: () => readonly string[];
  nowMs: () => number;
  retry: WebhookRetryOptions;
  log: ProviderLog;
}): WebhookDispatcher {
  const { store, retry, log } = options;
  const timers = new Set<NodeJS.Timeout>();
  const controllers = new Set<AbortController>();
  const queue: Array<() => void> = [];
  const seriesCount = new Map<string, number>();
  let running = 0;
  let outstanding = 0;
  let closed = false;
  let waiters: Array<() => void> = [];

  function settleOne(): void {
    if (closed) return;
    outstanding -= 1;
    if (outstanding === 0) {
      const done = waiters;
      waiters = [];
      for (const resolve of done) resolve();
    }
  }

  function withSlot(task: () => Promise<void>): void {
    const start = (): void => {
      running += 1;
      void task().finally(() => {
        running -= 1;
        const next = queue.shift();
        if (next !== undefined) next();
      });
    };
    if (running < retry.concurrency) start();
    else queue.push(start);
  }

  async function attemptOnce(event: EventObject, series: number, attempt: number): Promise<boolean> {
    const url = options.url();
    const startedAt = options.nowMs();
    const began = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    if (url === null) {
      error = "no webhook URL is configured";
    } else {
      const stored = store.getEvent(event.id);
      const payload = JSON.stringify(stored?.event ?? event, null, 2);
      const header = signWebhookPayload(payload, options.secrets(), Math.floor(options.nowMs() / 1000));
      const controller = new AbortController();
      controllers.add(controller);
      const timer = setTimeout(() => controller.abort(), retry.timeoutMs);
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json; charset=utf-8",
            "stripe-signature": header,
            "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks) sandbox-stand-in",
            accept: "*/*; q=0.5, application/xml",
          },
          body: payload,
          signal: controller.signal,
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
      } catch (cause) {
        error = controller.signal.aborted ? `no answer within ${retry.timeoutMs} ms` : describe(cause);
      } finally {
        clearTimeout(timer);
        controllers.delete(controller);
      }
    }
    const durationMs = Math.round(performance.now() - began);
    const ok = status !== null && status >= 200 && status < 300;
    if (closed) return true;
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

  function runSeries(event: EventObject, series: number, attempt: number): void {
    withSlot(async () => {
      if (closed) return settleOne();
      const ok = await attemptOnce(event, series, attempt);
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
      queue.length = 0;
      outstanding = 0;
      const done = waiters;
      waiters = [];
      for (const resolve of done) resolve();
    },
  };
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const code = inner instanceof Error ? (inner as Error & { code?: string }).code : undefined;
    return code === undefined ? cause.message : `${cause.message} (${code})`;
  }
  return String(cause);
}
