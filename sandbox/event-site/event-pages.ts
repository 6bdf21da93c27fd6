// The event site's pages as HTML strings: the event list, an event with its passes, the
// registration form and the confirmation. Plain, accessible markup; the behaviour lives in the
// same-origin script (event-site-script.ts).
import type { EventSiteEvent } from "./event-site-backend";
import { escapeHtml, renderFrame } from "./html";

/** Formats an amount in the event's currency for display (the gateway page never uses it). */
export function formatPrice(amount: number, currency: EventSiteEvent["currency"]): string {
  if (!currency) return amount.toFixed(2);
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.iso }).format(amount);
  } catch {
    return `${currency.symbol}${amount.toFixed(2)}`;
  }
}

function eventUrl(prefix: string, path: string, readableEventId: string): string {
  return `${prefix}${path}?id=${encodeURIComponent(readableEventId)}`;
}

function formatDate(iso: string | null, locale = "en-US"): string {
  if (!iso) return "Date to be announced";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (
    new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short", timeZone: "UTC" }).format(date) +
    " UTC"
  );
}

export function renderEventList(events: EventSiteEvent[], prefix: string): string {
  const items = events
    .map(
      (e) =>
        `<li><a href="${escapeHtml(eventUrl(prefix, "/event", e.readableEventId))}">${escapeHtml(e.name)}</a> <span class="es-muted">(${e.passes.length > 0 ? "paid" : "free"}, ${escapeHtml(formatDate(e.startDate, prefixLocale(prefix)))})</span></li>`,
    )
    .join("\n");
  return renderFrame({
    title: "Events",
    prefix,
    body: `<h1>Events</h1>\n${events.length === 0 ? "<p>No events yet.</p>" : `<ul class="es-events">\n${items}\n</ul>`}`,
  });
}

export function renderEventPage(event: EventSiteEvent, prefix: string): string {
  const passes =
    event.passes.length === 0
      ? "<p>This event is free.</p>"
      : `<table class="es-table">
<caption>Passes</caption>
<thead><tr><th scope="col">Pass</th><th scope="col">Price</th></tr></thead>
<tbody>
${event.passes.map((p) => `<tr><td>${escapeHtml(p.name)}</td><td>${escapeHtml(formatPrice(p.price, event.currency))}</td></tr>`).join("\n")}
</tbody>
</table>`;
  return renderFrame({
    title: event.name,
    prefix,
    body: `<h1>${escapeHtml(event.name)}</h1>
<p class="es-date">${escapeHtml(formatDate(event.startDate, prefixLocale(prefix)))}</p>
${passes}
<p><a class="es-button" href="${escapeHtml(eventUrl(prefix, "/event/registration", event.readableEventId))}">Register</a></p>`,
  });
}

function attendeeFieldset(event: EventSiteEvent, index: number): string {
  const passSelect =
    event.passes.length === 0
      ? ""
      : `<label>Pass <select name="passId" required>
${event.passes.map((p) => `<option value="${escapeHtml(p.id)}" data-price="${escapeHtml(String(p.price))}">${escapeHtml(p.name)} (${escapeHtml(formatPrice(p.price, event.currency))})</option>`).join("\n")}
</select></label>`;
  return `<fieldset class="es-attendee">
<legend>Attendee ${index}</legend>
<label>First name <input name="firstName" autocomplete="given-name" required maxlength="100"></label>
<label>Last name <input name="lastName" autocomplete="family-name" required maxlength="100"></label>
<label>E-mail <input name="email" type="email" autocomplete="email" required maxlength="200"></label>
${passSelect}
<button type="button" class="es-remove" hidden>Remove attendee ${index}</button>
</fieldset>`;
}

export function renderRegistrationPage(event: EventSiteEvent, prefix: string, token: string): string {
  const paid = event.passes.length > 0;
  const total = paid
    ? `<p class="es-total">Total: <output id="es-total" for="es-attendees">${escapeHtml(formatPrice(event.passes[0]?.price ?? 0, event.currency))}</output> <span class="es-muted">(shown by the event site; the payment page reads the amount from Dataverse)</span></p>`
    : "";
  return renderFrame({
    title: `Register for ${event.name}`,
    prefix,
    token,
    body: `<h1>Register for ${escapeHtml(event.name)}</h1>
<p><a href="${escapeHtml(eventUrl(prefix, "/event", event.readableEventId))}">Back to the event</a></p>
<form id="es-registration" class="es-form" data-language-prefix="${escapeHtml(prefix)}" data-readable-event-id="${escapeHtml(event.readableEventId)}" data-currency="${escapeHtml(event.currency?.iso ?? "")}" data-currency-symbol="${escapeHtml(event.currency?.symbol ?? "")}" data-confirmation-url="${escapeHtml(eventUrl(prefix, "/event/confirmation", event.readableEventId))}" novalidate>
<div id="es-attendees">
${attendeeFieldset(event, 1)}
</div>
<p><button type="button" id="es-add-attendee">Add another attendee</button></p>
${total}
<p><button type="submit" id="es-submit">${paid ? "Register and pay" : "Register"}</button></p>
<div id="es-message" class="es-message" role="alert"></div>
</form>
<template id="es-attendee-template">
${attendeeFieldset(event, 0)}
</template>`,
  });
}

/** The page's locale from its language prefix ("/fr-FR" → "fr-FR"), English without one. */
export function prefixLocale(prefix: string): string {
  const code = prefix.replace(/^\//, "");
  try {
    return code ? (Intl.getCanonicalLocales(code)[0] ?? "en-US") : "en-US";
  } catch {
    return "en-US";
  }
}

/**
 * The confirmation page. It names no attendee itself: the script asks the register API for the
 * registrations of the purchase this browser made (its id is in sessionStorage), so one
 * attendee never sees another purchase's names and e-mails.
 */
export function renderConfirmationPage(event: EventSiteEvent, prefix: string): string {
  return renderFrame({
    title: `Registration confirmed: ${event.name}`,
    prefix,
    body: `<h1>Thank you for registering</h1>
<p>${escapeHtml(event.name)}, ${escapeHtml(formatDate(event.startDate, prefixLocale(prefix)))}</p>
<div id="es-confirmation" data-readable-event-id="${escapeHtml(event.readableEventId)}" data-locale="${escapeHtml(prefixLocale(prefix))}">
<p id="es-confirmation-status" role="status">Loading your registration…</p>
<table class="es-table es-stack" id="es-registrations" hidden>
<caption>Your registration</caption>
<thead><tr><th scope="col">Attendee</th><th scope="col">E-mail</th><th scope="col">Pass</th><th scope="col">Registered</th></tr></thead>
<tbody></tbody>
</table>
</div>
<p><a href="${escapeHtml(eventUrl(prefix, "/event", event.readableEventId))}">Back to the event</a></p>`,
  });
}

export function renderEventNotFound(readableEventId: string | null, prefix: string): string {
  const what = readableEventId
    ? `No event has the id "${escapeHtml(readableEventId)}".`
    : "The link has no event id (?id=…).";
  return renderFrame({
    title: "Event not found",
    prefix,
    body: `<h1>Event not found</h1>\n<p>${what} <a href="${escapeHtml(prefix)}/event">See all events</a>.</p>`,
  });
}

/** Where the portal sends the browser when an event has no payment gateway ("Initiated"): its built-in demo page. */
export function renderDemoPaymentPage(event: EventSiteEvent, prefix: string): string {
  return renderFrame({
    title: "Demo payment",
    prefix,
    body: `<h1>No payment gateway for ${escapeHtml(event.name)}</h1>
<p>Event management answered "Initiated": the event has no Portal payment gateway and the Event administration has no default one, so the Event Portal would show its built-in demo payment page here. The sandbox does not emulate that page.</p>
<p>Set the event's Portal payment gateway (<code>npm run assign</code>) and register again.</p>
<p><a href="${escapeHtml(eventUrl(prefix, "/event", event.readableEventId))}">Back to the event</a></p>`,
  });
}
