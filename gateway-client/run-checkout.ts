// The checkout flow: ask the endpoint for the order (POST /v1/checkout) and show it, or show what
// stands in the way: already paid (follow the status), too late, unknown, a bad link, or no answer.
import { DEFAULT_CONFIRMATION_PATH, withoutReturnMarkers } from "../confirmation-endpoint/contract/v1";
import type { CheckoutAnswer, CheckoutRequest } from "../confirmation-endpoint/contract/v1";
import { EndpointHttpError } from "./errors";
import type { PageContext } from "./page-context";
import { renderSummary } from "./render-summary";

/**
 * The gateway page as the provider should send the attendee back to it: without any return
 * marker (the endpoint adds its own per outcome), and with the purchase id when only
 * sessionStorage had it, since storage may be gone by then.
 */
function buildReturnUrl(ctx: PageContext): string {
  const url = new URL(withoutReturnMarkers(ctx.here.href));
  if (!ctx.purchaseIdInUrl) url.searchParams.set("purchaseId", ctx.purchaseId);
  return url.href;
}

function buildCheckoutRequest(ctx: PageContext): CheckoutRequest {
  const { config } = ctx.deps;
  return {
    purchaseId: ctx.purchaseId,
    readableEventId: ctx.readableEventId,
    ...(config.userId ? { userId: config.userId } : {}),
    locale: config.locale,
    returnUrl: buildReturnUrl(ctx),
    // With the language prefix, so the confirmation URL the endpoint answers keeps the language too.
    ...(config.confirmationPath || ctx.links.confirmationPath !== DEFAULT_CONFIRMATION_PATH
      ? { confirmationPath: ctx.links.confirmationPath }
      : {}),
  };
}

function showCheckoutError(ctx: PageContext, error: unknown): void {
  const { view, readableEventId } = ctx;
  const back = [view.backLink(readableEventId)];
  const status = error instanceof EndpointHttpError ? error.status : 0;
  if (status === 409) return ctx.poll();
  if (status === 410) return view.showMessage("expired", "expiredHeading", "expiredBody", back);
  if (status === 404) return view.showMessage("not_found", "notFoundHeading", "notFoundBody", back);
  if (status === 400) return view.showMessage("invalid", "invalidIdHeading", "invalidIdBody", back);
  view.showMessage("unreachable", "unreachableHeading", "unreachableBody", [
    view.button(view.t("retryButton"), () => ctx.checkout()),
  ]);
}

export async function runCheckout(ctx: PageContext): Promise<void> {
  const isCurrent = ctx.timer.beginFlow();
  const { view } = ctx;
  view.show("loading", view.t("loadingHeading"), [view.paragraph(view.t("loadingBody"))]);
  let answer: CheckoutAnswer;
  try {
    answer = await ctx.client.startCheckout(buildCheckoutRequest(ctx));
  } catch (error) {
    if (isCurrent()) showCheckoutError(ctx, error);
    return;
  }
  if (isCurrent()) renderSummary(ctx, answer);
}
