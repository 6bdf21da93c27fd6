// Dataverse's service protection limits, per application user: requests and combined execution time
// over a sliding window, and concurrent requests. Numbers default to the published ones and are all
// configurable; `timeScale` makes the window (and the waits it asks for) pass faster so a benchmark
// can hit the ceiling in minutes instead of hours.
import { DataverseFault, ErrorCodes } from "./errors";

export interface ServiceProtectionLimits {
  /** Requests per window per user (Dataverse: 6000). */
  requestsPerWindow: number;
  /** Combined execution milliseconds per window per user (Dataverse: 1,200,000). */
  executionMsPerWindow: number;
  /** Concurrent requests per user (Dataverse: 52). */
  concurrentRequests: number;
  /** Window length in Dataverse milliseconds (Dataverse: 300,000). */
  windowMs: number;
  /** Retry-After (Dataverse ms) answered when the concurrency limit trips. INFERRED: Dataverse does not publish it. */
  concurrencyRetryAfterMs: number;
  /** Real time runs this many times faster than Dataverse time: 10 → a 5-minute window lasts 30 real seconds. */
  timeScale: number;
  /** Execution time charged per request on top of the measured handling time (Dataverse ms), e.g. to imitate plug-in cost. */
  extraExecutionMsPerRequest: number;
}

export const defaultLimits: ServiceProtectionLimits = {
  requestsPerWindow: 6000,
  executionMsPerWindow: 1_200_000,
  concurrentRequests: 52,
  windowMs: 300_000,
  concurrencyRetryAfterMs: 1000,
  timeScale: 1,
  extraExecutionMsPerRequest: 0,
};

interface UserWindow {
  /** Start times of counted requests, in Dataverse ms, oldest first. */
  starts: number[];
  /** Execution cost per finished request: [time finished, cost], oldest first. */
  costs: Array<[number, number]>;
  costSum: number;
  inFlight: number;
}

export interface Admission {
  /** Call once when the response is done; charges the execution time. */
  release(): void;
}

export interface ThrottleCounts {
  requests: number;
  time: number;
  concurrency: number;
}

function prune(limits: ServiceProtectionLimits, w: UserWindow, t: number): void {
  const from = t - limits.windowMs;
  let i = 0;
  while (i < w.starts.length && (w.starts[i] ?? 0) <= from) i++;
  if (i > 0) w.starts.splice(0, i);
  let j = 0;
  while (j < w.costs.length && (w.costs[j]?.[0] ?? 0) <= from) {
    w.costSum -= w.costs[j]?.[1] ?? 0;
    j++;
  }
  if (j > 0) w.costs.splice(0, j);
}

function reject(
  limits: ServiceProtectionLimits,
  code: string,
  message: string,
  retryAfterDvMs: number,
): DataverseFault {
  const seconds = Math.max(1, Math.ceil(retryAfterDvMs / 1000));
  const realMs = Math.max(1, Math.ceil(retryAfterDvMs / limits.timeScale));
  return new DataverseFault(429, code, message, {
    headers: { "Retry-After": String(seconds), "x-sandbox-retry-after-ms": String(realMs) },
  });
}

/** The 429 for the first limit this user's window is over at Dataverse time `t`, counted in `throttled`; else null. */
function exceededLimit(
  limits: ServiceProtectionLimits,
  w: UserWindow,
  t: number,
  throttled: ThrottleCounts,
): DataverseFault | null {
  const windowSeconds = Math.round(limits.windowMs / 1000);
  if (w.inFlight >= limits.concurrentRequests) {
    throttled.concurrency++;
    return reject(
      limits,
      ErrorCodes.throttleConcurrency,
      `Number of concurrent requests exceeded the limit of ${limits.concurrentRequests}.`,
      limits.concurrencyRetryAfterMs,
    );
  }
  if (w.starts.length >= limits.requestsPerWindow) {
    throttled.requests++;
    const oldest = w.starts[0] ?? t;
    return reject(
      limits,
      ErrorCodes.throttleRequests,
      `Number of requests exceeded the limit of ${limits.requestsPerWindow} over time window of ${windowSeconds} seconds.`,
      oldest + limits.windowMs - t,
    );
  }
  if (w.costSum < limits.executionMsPerWindow) return null;
  throttled.time++;
  // Wait until enough cost has left the window to go back under the limit.
  let excess = w.costSum - limits.executionMsPerWindow;
  let until = t;
  for (const [finished, cost] of w.costs) {
    until = finished + limits.windowMs;
    excess -= cost;
    if (excess < 0) break;
  }
  return reject(
    limits,
    ErrorCodes.throttleTime,
    `Combined execution time of incoming requests exceeded limit of ${limits.executionMsPerWindow} milliseconds over time window of ${windowSeconds} seconds. Decrease the number of concurrent requests or reduce their duration and try again later.`,
    until - t,
  );
}

/** `monotonic` returns real milliseconds (performance.now by default). */
export function createServiceProtection(
  limits: ServiceProtectionLimits,
  monotonic: () => number = () => performance.now(),
) {
  const users = new Map<string, UserWindow>();
  const throttled: ThrottleCounts = { requests: 0, time: 0, concurrency: 0 };
  const dvNow = () => monotonic() * limits.timeScale;

  function windowOf(user: string): UserWindow {
    let w = users.get(user);
    if (!w) {
      w = { starts: [], costs: [], costSum: 0, inFlight: 0 };
      users.set(user, w);
    }
    return w;
  }

  return {
    throttled,
    /** Throws a 429 DataverseFault when a limit is exceeded; otherwise counts the request in. */
    admit(user: string): Admission {
      const t = dvNow();
      const w = windowOf(user);
      prune(limits, w, t);
      const fault = exceededLimit(limits, w, t, throttled);
      if (fault) throw fault;
      w.starts.push(t);
      w.inFlight++;
      const startedReal = monotonic();
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          w.inFlight--;
          const end = dvNow();
          // Execution time is what the request cost the server: scale real handling time into Dataverse time.
          const cost = (monotonic() - startedReal) * limits.timeScale + limits.extraExecutionMsPerRequest;
          w.costs.push([end, cost]);
          w.costSum += cost;
        },
      };
    },
    /** Informational headers Dataverse adds to each response. */
    remaining(user: string): Record<string, string> {
      const w = windowOf(user);
      return {
        "x-ms-ratelimit-burst-remaining-xrm-requests": String(
          Math.max(0, limits.requestsPerWindow - w.starts.length),
        ),
        "x-ms-ratelimit-time-remaining-xrm-requests": String(
          Math.max(0, Math.round(limits.executionMsPerWindow - w.costSum)),
        ),
        "x-ms-dop-hint": String(Math.max(1, Math.min(limits.concurrentRequests, 4))),
      };
    },
  };
}

export type ServiceProtection = ReturnType<typeof createServiceProtection>;
