// After the provider: ask for the purchase's status (1 s, then half as long again each time, at
// most pollMaxMs) until it settles; on to the confirmation page once finalized. Short outages are
// ridden out; repeated failures or a status that never settles offer a retry instead.
// An endpoint that says it holds status requests (`longPollSeconds` in its answer) gets long polls
// (`wait`, `seen`) one after the other: it answers the moment the status changes. One that does
// not say so (an older one, one at its cap of held requests), a failed request, or a "held"
// request that came back at once with nothing new, gets plain polling on the schedule above.
import type { PurchaseStatus, StatusAnswer } from "../confirmation-endpoint/contract/v1";
import { EndpointHttpError } from "./errors";
import type { PageContext } from "./page-context";
import { renderStatus } from "./render-status";

/** Seconds the endpoint may hold a status request (below common proxy time-outs of 30 s and more). */
export const STATUS_WAIT_SECONDS = 20;

/** Statuses that never change again: polling stops there. */
const SETTLED: ReadonlySet<PurchaseStatus> = new Set(["finalized", "refunded", "expired", "failed"]);

/** Shows a failed poll's outcome when it is final; false when polling should go on. */
function showPollError(ctx: PageContext, error: unknown): boolean {
  const { view, readableEventId } = ctx;
  const status = error instanceof EndpointHttpError ? error.status : 0;
  if (status === 404)
    view.showMessage("not_found", "notFoundHeading", "notFoundBody", [view.backLink(readableEventId)]);
  else if (status === 400)
    view.showMessage("invalid", "invalidIdHeading", "invalidIdBody", [view.backLink(readableEventId)]);
  return status === 404 || status === 400;
}

export function pollStatus(ctx: PageContext): void {
  const isCurrent = ctx.timer.beginFlow();
  const { view, timing, deps } = ctx;
  const startedAt = deps.now();
  const retry = () => view.button(view.t("retryButton"), () => ctx.poll());
  let attempt = 0;
  let requests = 0;
  let failures = 0;
  let lastStatus: PurchaseStatus | null = null;
  // Seconds the endpoint said it would hold the next request (its last answer's longPollSeconds).
  let holdSeconds = 0;
  view.show("checking", view.t("checkingHeading"), [view.paragraph(view.t("checkingBody"))]);

  const backOff = () => {
    ctx.timer.schedule(() => void once(), Math.min(timing.pollMaxMs, timing.pollInitialMs * 1.5 ** attempt));
    attempt++;
  };

  async function once(): Promise<void> {
    let answer: StatusAnswer;
    const sentAt = deps.now();
    const seen = lastStatus;
    const wait =
      seen && holdSeconds > 0 ? { seconds: Math.min(STATUS_WAIT_SECONDS, holdSeconds), seen } : null;
    try {
      // The first poll after coming back from the provider says so: a payment may wait for capture.
      answer = await ctx.client.getStatus(ctx.purchaseId, {
        returned: ctx.returnOutcome === "success" && requests++ === 0,
        wait,
      });
    } catch (error) {
      holdSeconds = 0;
      if (!isCurrent() || showPollError(ctx, error)) return;
      if (++failures < timing.pollFailuresBeforeUnreachable) return backOff();
      return view.showMessage("unreachable", "unreachableHeading", "unreachableBody", [retry()]);
    }
    if (!isCurrent()) return;
    failures = 0;
    if (answer.status !== lastStatus) renderStatus(ctx, answer);
    lastStatus = answer.status;
    if (answer.status === "finalized")
      return deps.navigate(ctx.links.confirmation(answer.readableEventId || ctx.readableEventId));
    if (SETTLED.has(answer.status)) return;
    if (deps.now() - startedAt >= timing.pollGiveUpMs)
      return view.showMessage("stalled", "stalledHeading", "stalledBody", [retry()]);
    holdSeconds = answer.longPollSeconds ?? 0;
    // A waiting request that came back quickly with nothing new was not held after all: back off.
    const notHeld = wait !== null && answer.status === seen && deps.now() - sentAt < timing.pollInitialMs;
    // The next long poll leaves at once, not through a timer: a tab in the background runs its
    // timers at most once a second, which would keep an attendee waiting after finalize.
    if (holdSeconds > 0 && !notHeld) return ctx.timer.stopped() ? undefined : void once();
    backOff();
  }

  void once();
}
