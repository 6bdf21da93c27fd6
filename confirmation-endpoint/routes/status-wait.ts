// The attendee's wait: GET /v1/purchases/{id}/status?wait=N&seen=<status> may be held open until the
// purchase's visible status differs from the one the page last saw, or N seconds pass (long poll).
// Held requests are woken by an in-process signal the store wrapper below raises whenever a write
// touches a purchase, and re-read on a short timer as well, because another instance sharing a
// PostgreSQL store changes purchases this process never hears about. A cap on held requests keeps
// memory bounded: past it, a request is answered at once and the page falls back to plain polling.

import type { PurchaseStatus } from "../contract/v1";
import type { PaymentStore } from "../store/types";

/** The wait a page may ask for is cut to this many seconds (proxies commonly cut at 30 s or later). */
export const MAX_WAIT_SECONDS = 25;

/** Per-purchase wake-ups: writers call `notify`, held requests `subscribe`. */
export interface PurchaseSignal {
  subscribe(purchaseId: string, wake: () => void): () => void;
  notify(purchaseId: string | null | undefined): void;
}

export function createPurchaseSignal(): PurchaseSignal {
  const waiting = new Map<string, Set<() => void>>();
  return {
    subscribe(purchaseId, wake) {
      let set = waiting.get(purchaseId);
      if (!set) waiting.set(purchaseId, (set = new Set()));
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0 && waiting.get(purchaseId) === set) waiting.delete(purchaseId);
      };
    },
    notify(purchaseId) {
      if (!purchaseId) return;
      const set = waiting.get(purchaseId);
      if (set) for (const wake of [...set]) wake();
    },
  };
}

/**
 * `store` whose writes that can change a purchase's visible status raise `signal` for that purchase
 * once they have committed: a webhook that reports a payment, a worker step, a checkout. Only the
 * process's own writes are seen; other instances' are found by the held request's re-reads.
 */
export function signalPurchaseChanges(store: PaymentStore, signal: PurchaseSignal): PaymentStore {
  return {
    ...store,
    async recordWebhook(planned, now) {
      const outcome = await store.recordWebhook(planned, now);
      if (outcome.stored > 0) {
        for (const p of planned) signal.notify(p.reportedPayment?.purchaseId ?? p.event.purchaseId);
      }
      return outcome;
    },
    async commitJob(jobId, workerId, effects, now) {
      await store.commitJob(jobId, workerId, effects, now);
      signal.notify(effects.purchase?.purchaseId);
      for (const p of effects.payments ?? []) signal.notify(p.purchaseId);
      for (const r of effects.refunds ?? []) signal.notify(r.purchaseId);
    },
    async beginCheckout(input) {
      const result = await store.beginCheckout(input);
      signal.notify(result.purchase.purchaseId);
      return result;
    },
  };
}

export interface StatusWaitOptions {
  /** Held requests at most at once (default 1,000); past it a request is answered at once. */
  maxHeld?: number;
  /** Re-read a held purchase this often even without a signal (default 1 s). */
  recheckMs?: number;
  signal?: PurchaseSignal;
}

export interface StatusWaiter {
  /**
   * Having just read `seen`: re-read with `read` until the status differs from it, `seconds` pass
   * or `abort` fires; resolves with the last read. Returns null (nothing held) when the cap is reached.
   */
  hold<T extends { status: PurchaseStatus }>(
    purchaseId: string,
    seen: PurchaseStatus,
    seconds: number,
    read: () => Promise<T>,
    abort?: AbortSignal,
  ): Promise<T> | null;
  /** Requests held right now. */
  held(): number;
  /** Whether one more request would be held (below the cap). */
  canHold(): boolean;
}

export function createStatusWaiter(options: StatusWaitOptions = {}): StatusWaiter {
  const maxHeld = options.maxHeld ?? 1000;
  const recheckMs = options.recheckMs ?? 1000;
  const signal = options.signal;
  let held = 0;

  async function run<T extends { status: PurchaseStatus }>(
    purchaseId: string,
    seen: PurchaseStatus,
    seconds: number,
    read: () => Promise<T>,
    abort?: AbortSignal,
  ): Promise<T> {
    const until = Date.now() + Math.min(seconds, MAX_WAIT_SECONDS) * 1000;
    // A signal that arrives while a read is under way is kept, so the next pause ends at once. The
    // first pass reads again before pausing: a change committed between the caller's read and this
    // subscription raised its signal before anyone listened, and would wait for the next re-read.
    let woken = true;
    let resume: (() => void) | null = null;
    const wake = () => {
      woken = true;
      resume?.();
    };
    const unsubscribe = signal?.subscribe(purchaseId, wake) ?? (() => {});
    abort?.addEventListener("abort", wake);
    try {
      for (;;) {
        if (!woken) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.max(0, Math.min(recheckMs, until - Date.now())));
            resume = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          resume = null;
        }
        woken = false;
        const answer = await read();
        if (answer.status !== seen || Date.now() >= until || abort?.aborted) return answer;
      }
    } finally {
      unsubscribe();
      abort?.removeEventListener("abort", wake);
    }
  }

  return {
    hold(purchaseId, seen, seconds, read, abort) {
      if (held >= maxHeld || seconds <= 0) return null;
      held++;
      return run(purchaseId, seen, seconds, read, abort).finally(() => held--);
    },
    held: () => held,
    canHold: () => held < maxHeld,
  };
}
