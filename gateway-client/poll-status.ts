// After the provider: ask for the purchase's status (1 s, then half as long again each time, at
// most pollMaxMs) until it settles; on to the confirmation page once finalized. Short outages are
// ridden out; repeated failures or a status that never settles offer a retry instead.
// Each request after the first is a long poll (`wait`, `seen`): an endpoint that holds it answers
// the moment the status changes, and the next request goes out at once. The delay before the next
// request counts the time the last one took, so an endpoint that answers at once (an older one,
// one at its cap of held requests, a proxy that cuts long requests) gets plain polling, as before.
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
  let failures = 0;
  let lastStatus: PurchaseStatus | null = null;
  view.show("checking", view.t("checkingHeading"), [view.paragraph(view.t("checkingBody"))]);

  let sentAt = startedAt;
  const next = () => {
    const delay = Math.min(timing.pollMaxMs, timing.pollInitialMs * 1.5 ** attempt);
    ctx.timer.schedule(() => void once(), Math.max(0, delay - (deps.now() - sentAt)));
    attempt++;
  };

  async function once(): Promise<void> {
    let answer: StatusAnswer;
    sentAt = deps.now();
    try {
      // The first poll after coming back from the provider says so: a payment may wait for capture.
      // Later ones wait for the status to change from the one shown.
      answer = await ctx.client.getStatus(ctx.purchaseId, {
        returned: ctx.returnOutcome === "success" && attempt === 0,
        wait: lastStatus ? { seconds: STATUS_WAIT_SECONDS, seen: lastStatus } : null,
      });
    } catch (error) {
      if (!isCurrent() || showPollError(ctx, error)) return;
      if (++failures < timing.pollFailuresBeforeUnreachable) return next();
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
    next();
  }

  void once();
}
