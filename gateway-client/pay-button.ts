// The Pay action: one press sends the browser to the provider's hosted page. It works once, and
// not after the offer has closed (the countdown may not have caught up with the clock yet).
import { el } from "./dom";
import type { PageContext } from "./page-context";

export interface PayButton {
  element: HTMLButtonElement;
  /** The attendee pressed Pay and is on the way to the provider. */
  paying(): boolean;
  disable(): void;
}

export function createPayButton(
  ctx: PageContext,
  order: { label: string; redirectUrl: string; closeAt: number; onClosed: () => void },
): PayButton {
  const { view } = ctx;
  const element = el(view.doc, "button", { type: "button", class: "epg-button epg-button-primary epg-pay" }, [
    order.label,
  ]);
  let paying = false;
  element.addEventListener("click", () => {
    if (paying || element.disabled) return;
    if (ctx.deps.now() >= order.closeAt) return order.onClosed();
    paying = true;
    element.disabled = true;
    element.setAttribute("aria-busy", "true");
    element.textContent = view.t("payPressed");
    view.announce(view.t("payPressed"));
    ctx.timer.clear();
    ctx.deps.navigate(order.redirectUrl);
  });
  return { element, paying: () => paying, disable: () => void (element.disabled = true) };
}
