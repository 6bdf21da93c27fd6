// Spreads calls over the application users: each user has its own token provider, its own cap on
// concurrent calls (lowered to Dataverse's x-ms-dop-hint) and its own throttle state, so a 429 on
// one user leaves the others working. A call goes to the unthrottled user with the fewest calls in
// flight; when every user is throttled it waits for the first to come free, unless that is past the
// caller's deadline, in which case it gives up at once. With shared holds (shared-holds.ts) a
// user is also kept away while another instance has been told Dataverse holds it.

import { DeadlineExceededError } from "./errors";
import type { HoldSync } from "./shared-holds";
import type { TokenProvider } from "./token-provider";

export interface UserSlot {
  readonly index: number;
  readonly label: string;
  /** Names the application user across instances (shared-holds.ts userHoldKey); never a secret. */
  readonly key: string;
  readonly tokens: TokenProvider;
  inFlight: number;
  /** Current cap (≤ maxConcurrency, lowered by x-ms-dop-hint). */
  cap: number;
  readonly maxConcurrency: number;
  /** Epoch ms (injected clock) before which this user must not call Dataverse. */
  blockedUntil: number;
  requests: number;
  throttles: number;
}

export interface UserPoolOptions {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The holds other instances learnt of (absent: this process's own 429s only). */
  holds?: HoldSync | undefined;
}

export interface AcquireOptions {
  deadline?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Names the call in a DeadlineExceededError. */
  operation: string;
  lastError?: unknown;
}

export interface UserPool {
  readonly users: readonly UserSlot[];
  acquire(options: AcquireOptions): Promise<UserSlot>;
  release(user: UserSlot): void;
  /** Keeps calls away from `user` until `untilMs`. */
  block(user: UserSlot, untilMs: number): void;
  /** Tells the other instances of a hold on `user` (resolves at once without shared holds). */
  share(user: UserSlot, untilMs: number): Promise<void>;
  applyDopHint(user: UserSlot, hint: number): void;
}

export function createUserPool(
  users: Array<{ label: string; key: string; tokens: TokenProvider; maxConcurrency: number }>,
  options: UserPoolOptions,
): UserPool {
  const slots: UserSlot[] = users.map((user, index) => ({
    index,
    label: user.label,
    key: user.key,
    tokens: user.tokens,
    inFlight: 0,
    cap: user.maxConcurrency,
    maxConcurrency: user.maxConcurrency,
    blockedUntil: 0,
    requests: 0,
    throttles: 0,
  }));
  const waiters: Array<() => void> = [];
  let rotation = 0;

  function pickFree(now: number): UserSlot | undefined {
    let best: UserSlot | undefined;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[(rotation + i) % slots.length];
      if (!slot || slot.blockedUntil > now || slot.inFlight >= slot.cap) continue;
      if (!best || slot.inFlight < best.inFlight) best = slot;
    }
    if (best) rotation = (best.index + 1) % slots.length;
    return best;
  }

  function waitForRelease(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = waiters.indexOf(wake);
        if (at >= 0) waiters.splice(at, 1);
        reject(signal?.reason ?? new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiters.push(wake);
    });
  }

  function wakeOne(): void {
    waiters.shift()?.();
  }

  return {
    users: slots,
    async acquire(request) {
      for (;;) {
        request.signal?.throwIfAborted();
        if (options.holds) await options.holds.refresh(slots);
        const now = options.now();
        const free = pickFree(now);
        if (free) {
          free.inFlight++;
          free.requests++;
          return free;
        }
        const unblocked = slots.some((slot) => slot.blockedUntil <= now);
        if (unblocked) {
          await waitForRelease(request.signal);
          continue;
        }
        const firstFree = Math.min(...slots.map((slot) => slot.blockedUntil));
        if (request.deadline !== undefined && firstFree > request.deadline) {
          throw new DeadlineExceededError(
            `${request.operation}: Dataverse throttled every application user until ${new Date(firstFree).toISOString()}, ` +
              `past the deadline ${new Date(request.deadline).toISOString()}; not waiting`,
            request.deadline,
            request.lastError,
          );
        }
        await options.sleep(firstFree - now, request.signal);
      }
    },
    release(user) {
      user.inFlight = Math.max(0, user.inFlight - 1);
      wakeOne();
    },
    block(user, untilMs) {
      user.throttles++;
      user.blockedUntil = Math.max(user.blockedUntil, untilMs);
    },
    share(user, untilMs) {
      return options.holds ? options.holds.publish(user, untilMs) : Promise.resolve();
    },
    applyDopHint(user, hint) {
      if (Number.isInteger(hint) && hint > 0) user.cap = Math.max(1, Math.min(user.maxConcurrency, hint));
    },
  };
}
