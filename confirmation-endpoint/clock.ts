// One clock for the whole endpoint (routes, worker, deadline arithmetic), passed in so tests can
// move time by hand.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
