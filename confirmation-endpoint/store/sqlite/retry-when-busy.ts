// SQLite waits for a lock held by another connection inside the call, which blocks Node's event
// loop for as long as it waits. The connection therefore waits only a short busy timeout, and a
// store call that still finds the file locked is tried again after a timer, until the old total
// wait has passed: other requests (health checks, other purchases) are served in between. Every
// store call is one transaction that a busy lock refuses before it changes anything, so trying
// the whole call again is safe.

import { StoreError } from "../../errors";

export interface BusyRetry {
  /** Total time a call may wait for the lock before its StoreError is let through. */
  waitMs: number;
  /** Pause between tries. */
  pauseMs: number;
  now?: () => number;
}

/** Whether an error (or one of its causes) is SQLite saying another connection holds the lock. */
export function isBusy(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE_BUSY")) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `store` with each asynchronous method tried again, after a pause, while the file is locked. */
export function retryWhenBusy<T extends object>(store: T, options: BusyRetry): T {
  const now = options.now ?? Date.now;
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== "function" || name === "close") {
      wrapped[name] = value;
      continue;
    }
    const call = value as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = async (...args: unknown[]) => {
      const started = now();
      for (;;) {
        try {
          return await call(...args);
        } catch (error) {
          const waited = now() - started;
          if (!(error instanceof StoreError) || !isBusy(error) || waited + options.pauseMs > options.waitMs)
            throw error;
          await pause(options.pauseMs);
        }
      }
    };
  }
  return wrapped as T;
}
