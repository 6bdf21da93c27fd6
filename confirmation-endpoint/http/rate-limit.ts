// A fixed-window counter per key, in memory: enough to stop one browser tab (or a script) from
// hammering Dataverse and the provider through POST /v1/checkout for the same purchase. It bounds
// its own memory: expired windows are dropped, and past `maxKeys` the oldest keys go first.

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string): RateDecision;
}

export function createRateLimiter(options: {
  limit: number;
  windowMs: number;
  now: () => number;
  maxKeys?: number;
}): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const maxKeys = options.maxKeys ?? 10_000;

  function prune(now: number): void {
    for (const [key, w] of windows) if (now - w.start >= options.windowMs) windows.delete(key);
    // Map keeps insertion order: the first keys are the oldest. Leave room for the one being added.
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    take(key) {
      const now = options.now();
      let w = windows.get(key);
      if (!w || now - w.start >= options.windowMs) {
        windows.delete(key);
        if (windows.size >= maxKeys) prune(now);
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= options.limit) {
        return {
          ok: false,
          retryAfterSeconds: Math.max(1, Math.ceil((w.start + options.windowMs - now) / 1000)),
        };
      }
      w.count += 1;
      return { ok: true };
    },
  };
}
