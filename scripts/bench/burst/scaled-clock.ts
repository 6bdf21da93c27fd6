// A clock that can run faster than real time from a chosen moment on, and that two processes can
// share exactly: its state is three numbers (real anchor, clock anchor, scale), so the benchmark
// hands the same numbers to the endpoint process and both read the same time. Sleeps shrink by the
// same factor, so "wait Retry-After seconds" takes Retry-After / scale real seconds.

export interface ClockState {
  /** Real epoch ms at which the current scale took effect. */
  anchorReal: number;
  /** Clock epoch ms at that moment. */
  anchorClock: number;
  /** Clock ms per real ms. */
  scale: number;
}

export interface ScaledClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  state(): ClockState;
  /** Runs `scale` times faster than real time from now on (keeps the current reading). */
  setScale(scale: number): ClockState;
  /** Adopts another process's state (what setScale returned there). */
  adopt(state: ClockState): void;
}

export function createScaledClock(initial?: ClockState, realNow: () => number = Date.now): ScaledClock {
  let current: ClockState = initial ?? { anchorReal: realNow(), anchorClock: realNow(), scale: 1 };
  const now = () => current.anchorClock + (realNow() - current.anchorReal) * current.scale;
  return {
    now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason ?? new Error("aborted"));
          return;
        }
        const timer = setTimeout(
          () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
          Math.max(0, ms / current.scale),
        );
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason ?? new Error("aborted"));
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
    state: () => ({ ...current }),
    setScale(scale) {
      if (!(scale > 0)) throw new RangeError(`clock scale must be positive; got ${scale}`);
      const real = realNow();
      current = {
        anchorReal: real,
        anchorClock: current.anchorClock + (real - current.anchorReal) * current.scale,
        scale,
      };
      return { ...current };
    },
    adopt(state) {
      current = { ...state };
    },
  };
}

export function formatClockState(state: ClockState): string {
  return `${state.anchorReal},${state.anchorClock},${state.scale}`;
}

export function parseClockState(text: string): ClockState {
  const [a, b, c] = text.trim().split(",").map(Number);
  if (
    a === undefined ||
    b === undefined ||
    c === undefined ||
    ![a, b, c].every(Number.isFinite) ||
    !(c > 0)
  ) {
    throw new RangeError(`clock state must be "<anchorReal>,<anchorClock>,<scale>"; got "${text}"`);
  }
  return { anchorReal: a, anchorClock: b, scale: c };
}
