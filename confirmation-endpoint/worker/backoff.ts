// Retry timing: exponential from 1 s to 30 s with full jitter, never below a floor so a failing
// call cannot spin; and the deadline cap (spec §4.4): no wait may reach past the guard.

const FLOOR_MS = 500;

export function backoffDelayMs(
  attempt: number,
  random: () => number,
  options: { baseMs?: number; capMs?: number } = {},
): number {
  const base = options.baseMs ?? 1000;
  const cap = options.capMs ?? 30_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.max(FLOOR_MS, Math.floor(random() * ceiling));
}

/** When the next finalize try may run, or null when the wait would reach the guard (take the deadline path). */
export function nextTryBeforeGuard(input: {
  now: number;
  guardAt: number;
  attempt: number;
  retryAfterMs?: number | undefined;
  random: () => number;
}): number | null {
  const wait =
    input.retryAfterMs !== undefined
      ? Math.max(input.retryAfterMs, FLOOR_MS)
      : backoffDelayMs(input.attempt, input.random);
  const at = input.now + wait;
  if (input.retryAfterMs !== undefined && at >= input.guardAt) return null;
  return Math.min(at, input.guardAt);
}
