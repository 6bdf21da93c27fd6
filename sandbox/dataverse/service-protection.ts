// Dataverse's service protection limits, per application user: requests and combined execution time
// over a sliding window, and concurrent requests. Numbers default to the published ones and are all
// configurable; `timeScale` makes the window (and the waits it asks for) pass faster so a benchmark
// can hit the ceiling in minutes instead of hours.
//
// A client that keeps sending while throttled (Microsoft Learn, "Service protection API limits",
// https://learn.microsoft.com/power-apps/developer/data-platform/api-limits):
//  - CONFIRMED: the Retry-After of a 429 is "the duration before any new requests from the user can
//    be processed", and the error is returned on subsequent requests until that duration ends: after
//    a 429 the stand-in holds the whole user (every request answered 429) until its Retry-After ends
//    (`holdUntilRetryAfter`).
//  - CONFIRMED: if the application continues to send such demanding requests, the duration is
//    extended. By how much is not published: INFERRED, each request that arrives during the hold
//    moves its end `holdExtensionMs` later (capped at `maxHoldMs`), and is not counted in the window.
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
  /**
   * The extra execution time is also taken: the request is answered only once that much time has
   * passed since it was admitted (extra / timeScale real ms, the stand-in's own handling included),
   * as a server doing that work would. False: charged on top, answered at once.
   */
  extraExecutionTakesTime: boolean;
  /**
   * Each request's extra execution time varies by up to this fraction either way, evenly spread
   * (0.5: 50-150 % of it). INFERRED: Dataverse does not publish how much a finalize's time varies.
   */
  executionJitter: number;
  /** After a 429, refuse every request of that user until its Retry-After ends. CONFIRMED (documented); false: judge each request alone. */
  holdUntilRetryAfter: boolean;
  /** Dataverse ms each request arriving during a hold adds to it. INFERRED: Dataverse says the wait grows, not by how much. */
  holdExtensionMs: number;
  /** Longest a hold can grow to, from the request that meets it (Dataverse ms). INFERRED. */
  maxHoldMs: number;
}

export const defaultLimits: ServiceProtectionLimits = {
  requestsPerWindow: 6000,
  executionMsPerWindow: 1_200_000,
  concurrentRequests: 52,
  windowMs: 300_000,
  concurrencyRetryAfterMs: 1000,
  timeScale: 1,
  extraExecutionMsPerRequest: 0,
  extraExecutionTakesTime: false,
  executionJitter: 0,
  holdUntilRetryAfter: true,
  holdExtensionMs: 1000,
  maxHoldMs: 300_000,
};

interface UserWindow {
  /** Start times of counted requests, in Dataverse ms, oldest first. */
  starts: number[];
  /** Execution cost per finished request: [time finished, cost], oldest first. */
  costs: Array<[number, number]>;
  costSum: number;
  inFlight: number;
  /** Dataverse ms until which every request is refused (the last 429's Retry-After, extended), with that 429's code and message. */
  heldUntil: number;
  heldCode: string;
  heldMessage: string;
  /** The timeScale the hold was set under: a change of scale makes Dataverse time jump, and ends the hold. */
  heldScale: number;
}

export interface Admission {
  /**
   * Real ms the request must still take before it is answered: its extra execution time, when taken,
   * less what the request has spent so far (0 when the time is only charged).
   */
  remainingMs(): number;
  /** Call once when the response is done; charges the execution time. */
  release(): void;
}

export interface ThrottleCounts {
  requests: number;
  time: number;
  concurrency: number;
  /** Requests refused because they arrived before the Retry-After of an earlier 429 had ended. */
  whileHeld: number;
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

function reject(limits: ServiceProtectionLimits, refusal: Refusal): DataverseFault {
  const { code, message, waitMs: retryAfterDvMs } = refusal;
  const seconds = Math.max(1, Math.ceil(retryAfterDvMs / 1000));
  const realMs = Math.max(1, Math.ceil(retryAfterDvMs / limits.timeScale));
  return new DataverseFault(429, code, message, {
    headers: { "Retry-After": String(seconds), "x-sandbox-retry-after-ms": String(realMs) },
  });
}

interface Refusal {
  code: string;
  message: string;
  /** Dataverse ms until the request could be admitted. */
  waitMs: number;
}

/** The first limit this user's window is over at Dataverse time `t`, counted in `throttled`; else null. */
function exceededLimit(
  limits: ServiceProtectionLimits,
  w: UserWindow,
  t: number,
  throttled: ThrottleCounts,
): Refusal | null {
  const windowSeconds = Math.round(limits.windowMs / 1000);
  if (w.inFlight >= limits.concurrentRequests) {
    throttled.concurrency++;
    return {
      code: ErrorCodes.throttleConcurrency,
      message: `Number of concurrent requests exceeded the limit of ${limits.concurrentRequests}.`,
      waitMs: limits.concurrencyRetryAfterMs,
    };
  }
  if (w.starts.length >= limits.requestsPerWindow) {
    throttled.requests++;
    const oldest = w.starts[0] ?? t;
    return {
      code: ErrorCodes.throttleRequests,
      message: `Number of requests exceeded the limit of ${limits.requestsPerWindow} over time window of ${windowSeconds} seconds.`,
      waitMs: oldest + limits.windowMs - t,
    };
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
  return {
    code: ErrorCodes.throttleTime,
    message: `Combined execution time of incoming requests exceeded limit of ${limits.executionMsPerWindow} milliseconds over time window of ${windowSeconds} seconds. Decrease the number of concurrent requests or reduce their duration and try again later.`,
    waitMs: until - t,
  };
}

/** A request arriving before the user's hold has ended: refused with the hold's error, and the hold extended. */
function refuseWhileHeld(
  limits: ServiceProtectionLimits,
  w: UserWindow,
  t: number,
  throttled: ThrottleCounts,
): Refusal | null {
  if (!limits.holdUntilRetryAfter || t >= w.heldUntil || limits.timeScale !== w.heldScale) return null;
  throttled.whileHeld++;
  // Longer by the extension, up to maxHoldMs from now; never shorter than it already was.
  w.heldUntil = Math.max(w.heldUntil, Math.min(w.heldUntil + limits.holdExtensionMs, t + limits.maxHoldMs));
  return { code: w.heldCode, message: w.heldMessage, waitMs: w.heldUntil - t };
}

/**
 * `monotonic` returns real milliseconds (performance.now by default), the time the windows run on;
 * `random` draws the jitter; `handling` times each request's own handling (default `monotonic`): a
 * caller that moves `monotonic` forward (the burst benchmark fills the windows that way) passes
 * performance.now, so a request in flight across the move is not charged it as execution time.
 */
export function createServiceProtection(
  limits: ServiceProtectionLimits,
  monotonic: () => number = () => performance.now(),
  random: () => number = Math.random,
  handling: () => number = monotonic,
) {
  const users = new Map<string, UserWindow>();
  const throttled: ThrottleCounts = { requests: 0, time: 0, concurrency: 0, whileHeld: 0 };
  const dvNow = () => monotonic() * limits.timeScale;

  function windowOf(user: string): UserWindow {
    let w = users.get(user);
    if (!w) {
      w = {
        starts: [],
        costs: [],
        costSum: 0,
        inFlight: 0,
        heldUntil: 0,
        heldCode: "",
        heldMessage: "",
        heldScale: limits.timeScale,
      };
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
      const held = refuseWhileHeld(limits, w, t, throttled);
      if (held) throw reject(limits, held);
      const refusal = exceededLimit(limits, w, t, throttled);
      if (refusal) {
        // The 429 announces whole seconds; the hold ends at the exact wait, so a client that
        // honours the header never arrives early.
        if (limits.holdUntilRetryAfter)
          Object.assign(w, {
            heldUntil: t + refusal.waitMs,
            heldCode: refusal.code,
            heldMessage: refusal.message,
            heldScale: limits.timeScale,
          });
        throw reject(limits, refusal);
      }
      w.starts.push(t);
      w.inFlight++;
      const startedReal = handling();
      // Drawn only with a jitter: the random source is shared with the fault knobs' errorRate.
      const spread = limits.executionJitter > 0 ? limits.executionJitter * (2 * random() - 1) : 0;
      const extra = limits.extraExecutionMsPerRequest * (1 + spread);
      // Taken, the extra time is the measured handling time; charged only, it is added to it.
      const charged = limits.extraExecutionTakesTime ? 0 : extra;
      const takeMs = limits.extraExecutionTakesTime ? extra / limits.timeScale : 0;
      let released = false;
      return {
        remainingMs: () => takeMs - (handling() - startedReal),
        release() {
          if (released) return;
          released = true;
          w.inFlight--;
          const end = dvNow();
          // Execution time is what the request cost the server: scale real handling time into Dataverse time.
          const cost = (handling() - startedReal) * limits.timeScale + charged;
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
