// The order summary: event, attendees with their passes, the total, the countdown, Pay and Cancel.
// Everything shown comes from the endpoint's checkout answer (read from Dataverse), never from
// what the event site left in the browser.
import type { AttendeeLine, CheckoutAnswer } from "../confirmation-endpoint/contract/v1";
import { el } from "./dom";
import { startCountdown } from "./countdown";
import { formatMoney } from "./format-money";
import type { PageContext } from "./page-context";
import { createPayButton } from "./pay-button";

/** A lower-case id such as "stripe" reads better as a name; a setting written with capitals is kept. */
function providerName(raw: string): string {
  return raw === raw.toLowerCase() ? raw.charAt(0).toUpperCase() + raw.slice(1) : raw;
}

function attendeeItems(ctx: PageContext, attendees: AttendeeLine[], money: (minor: number) => string) {
  const { doc, t } = ctx.view;
  return attendees.map((a, i) =>
    el(doc, "li", { class: "epg-attendee" }, [
      el(doc, "span", { class: "epg-attendee-name" }, [a.name ?? t("attendeeFallback", { n: i + 1 })]),
      a.passName ? el(doc, "span", { class: "epg-pass" }, [a.passName]) : null,
      a.amountMinor !== null && attendees.length > 1
        ? el(doc, "span", { class: "epg-pass-price" }, [money(a.amountMinor)])
        : null,
    ]),
  );
}

export function renderSummary(ctx: PageContext, answer: CheckoutAnswer): void {
  const { view, deps, readableEventId } = ctx;
  const { doc, t } = view;
  const { purchase, payment } = answer;
  const money = (minor: number) => formatMoney(minor, purchase.amount.currency, deps.config.locale);
  const total = money(purchase.amount.minor);
  const closeAt = Date.parse(purchase.expiresAt) - ctx.timing.payMarginMs;

  const closeOffer = (): void => {
    if (pay.paying()) return;
    pay.disable();
    view.showMessage("expired", "expiredHeading", "expiredBody", [view.backLink(readableEventId)]);
  };
  const pay = createPayButton(ctx, {
    label: t("payButton", { amount: total }),
    redirectUrl: payment.redirectUrl,
    closeAt,
    onClosed: closeOffer,
  });
  if (deps.now() >= closeAt) return closeOffer();

  const attendees = attendeeItems(ctx, purchase.attendees, money);
  const countdown = el(doc, "p", { class: "epg-countdown", role: "timer" });
  const cancel = el(doc, "a", { class: "epg-link epg-cancel", href: ctx.links.event(readableEventId) }, [
    t("cancelLink"),
  ]);
  // The provider the endpoint actually uses wins over the build-time setting (which defaults to Stripe).
  const provider = providerName(payment.provider || deps.config.provider);
  const heading = purchase.eventName ?? t("summaryFallbackTitle");
  // Back after cancelling at the provider: say so, and that paying is still possible.
  const notice = ctx.returnOutcome === "cancel" ? t("cancelledNotice") : null;
  view.show(
    "summary",
    heading,
    [
      notice ? view.paragraph(notice, "epg-text epg-notice") : null,
      attendees.length ? el(doc, "h2", { class: "epg-subheading" }, [t("attendeesHeading")]) : null,
      attendees.length ? el(doc, "ul", { class: "epg-attendees" }, attendees) : null,
      el(doc, "dl", { class: "epg-total" }, [
        el(doc, "dt", {}, [t("totalLabel")]),
        el(doc, "dd", {}, [total]),
      ]),
      countdown,
      el(doc, "div", { class: "epg-actions" }, [pay.element, cancel]),
      view.paragraph(provider ? t("secureNoteProvider", { provider }) : t("secureNote"), "epg-note"),
    ],
    `${notice ? `${notice} ` : ""}${heading}. ${t("totalLabel")}: ${total}`,
    view.paragraph(t("summaryKicker"), "epg-kicker"),
  );
  startCountdown({ element: countdown, closeAt, now: deps.now, timer: ctx.timer, t, onClosed: closeOffer });
}
