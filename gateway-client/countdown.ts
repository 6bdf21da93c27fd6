// The time left to pay, ticking once a second on the page's timer until the offer closes.
import type { PageTimer } from "./page-timer";
import type { Translate } from "./page-view";

/** "m:ss", or "h:mm:ss" from one hour up. */
export function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Shows the time left in `element` until `closeAt`, then calls `onClosed` once. */
export function startCountdown(deps: {
  element: HTMLElement;
  closeAt: number;
  now: () => number;
  timer: PageTimer;
  t: Translate;
  onClosed: () => void;
}): void {
  const { element, closeAt } = deps;
  function tick(): void {
    const left = closeAt - deps.now();
    if (left <= 0) return deps.onClosed();
    element.textContent = deps.t("timeLeft", { time: formatRemaining(left) });
    element.classList.toggle("epg-countdown-urgent", left < 2 * 60_000);
    // Wake on the next whole second so the display never skips one.
    deps.timer.schedule(tick, left % 1000 || 1000);
  }
  tick();
}
