// The page's one pending timer and its flows. Only one thing waits at a time (the countdown's next
// tick or the next status poll), and every new flow (checkout, polling) makes the answers of the
// flow before it stale, so a late answer can never repaint a newer state.

export interface PageTimer {
  /** Replaces the pending timer; does nothing once the page is stopped. */
  schedule(fn: () => void, ms: number): void;
  clear(): void;
  /** Starts a new flow and returns a check that stays true until the next flow or stop(). */
  beginFlow(): () => boolean;
  stop(): void;
  stopped(): boolean;
}

export function createPageTimer(deps: {
  setTimeout: (fn: () => void, ms: number) => number;
  clearTimeout: (id: number) => void;
}): PageTimer {
  let timer: number | null = null;
  let generation = 0;
  let stopped = false;

  const clear = () => {
    if (timer !== null) deps.clearTimeout(timer);
    timer = null;
  };

  return {
    schedule(fn, ms) {
      clear();
      if (!stopped) timer = deps.setTimeout(fn, ms);
    },
    clear,
    beginFlow() {
      const mine = ++generation;
      clear();
      return () => mine === generation;
    },
    stop() {
      stopped = true;
      generation++;
      clear();
    },
    stopped: () => stopped,
  };
}
