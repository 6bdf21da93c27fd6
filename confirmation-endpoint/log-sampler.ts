// Lines about unauthenticated noise (forged webhooks, made-up purchase ids) are sampled: anyone can
// send those, so one line per request would let them flood the log. The first line of a key is
// written, then nothing for that key until the interval has passed; the next line written says how
// many were left out. The counts that matter are in the metrics, not in the log.

import type { Logger, LogLevel } from "./logger";

export interface LogSampler {
  /** `key` is a small fixed vocabulary (route and reason), never an id a caller chose. */
  log(level: LogLevel, key: string, message: string, fields?: Record<string, unknown>): void;
}

export const SAMPLE_INTERVAL_MS = 60_000;

export function createLogSampler(
  logger: Logger,
  now: () => number,
  intervalMs = SAMPLE_INTERVAL_MS,
): LogSampler {
  const keys = new Map<string, { writtenAt: number; suppressed: number }>();
  return {
    log(level, key, message, fields = {}) {
      const seen = keys.get(key);
      const at = now();
      if (seen && at - seen.writtenAt < intervalMs) {
        seen.suppressed += 1;
        return;
      }
      const suppressed = seen?.suppressed ?? 0;
      keys.set(key, { writtenAt: at, suppressed: 0 });
      logger.log(level, message, suppressed > 0 ? { ...fields, suppressed } : fields);
    },
  };
}

const shared = new WeakMap<Logger, LogSampler>();

/**
 * The one sampler of a logger: the routes are handed the logger for every request, and the
 * sampling must span requests. The clock is the first caller's (one endpoint has one clock).
 */
export function samplerFor(logger: Logger, now: () => number): LogSampler {
  let sampler = shared.get(logger);
  if (!sampler) {
    sampler = createLogSampler(logger, now);
    shared.set(logger, sampler);
  }
  return sampler;
}
