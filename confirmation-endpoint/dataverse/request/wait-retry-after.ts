// Pauses between attempts, never past the caller's deadline: a pause that would end after it fails
// at once with DeadlineExceededError, so the caller still has time to take its deadline path.

import { DeadlineExceededError } from "../errors";
import type { CallOptions } from "../types";

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function deadlineError(
  operation: string,
  deadline: number,
  reason: string,
  cause: unknown,
): DeadlineExceededError {
  return new DeadlineExceededError(
    `${operation}: ${reason}; the deadline ${new Date(deadline).toISOString()} allows no more waiting`,
    deadline,
    cause,
  );
}

/** True when waiting `ms` from now would end past the call's deadline. */
export function endsPastDeadline(call: CallOptions, nowMs: number, ms: number): boolean {
  return call.deadline !== undefined && nowMs + ms > call.deadline;
}

/** Sleeps `ms` (e.g. Retry-After or a backoff) unless that ends past the deadline: then throws at once. */
export async function waitRetryAfter(
  ms: number,
  context: { operation: string; call: CallOptions; cause: unknown; now: () => number; sleep: Sleep },
): Promise<void> {
  const { call } = context;
  if (call.deadline !== undefined && endsPastDeadline(call, context.now(), ms)) {
    throw deadlineError(
      context.operation,
      call.deadline,
      `the next retry would wait ${ms} ms`,
      context.cause,
    );
  }
  await context.sleep(ms, call.signal);
}
