// The real-time-journeys registration page of the sandbox's event site: `/rtm/register?id=<readable
// id>`. A custom event website in real-time journeys registers through the Event API itself (no
// portal in between), so the page's script posts the attendee to the Dataverse stand-in's Event API
// with the web application's token and sends the browser to the `redirectUrl` it answers (the
// payment provider record's page URL, i.e. the confirmation endpoint's /v1/rtm/pay). The same page
// is the return URL: after the hosted checkout it says how the payment went and lists the event's
// registrations.
import type { RouteHook } from "../../portal-emulator/preview-server";
import type { EventSiteBackend, EventSiteEvent } from "./event-site-backend";
import { formatPrice } from "./event-pages";
import { ASSET_PREFIX, EVENT_SITE_CSP, escapeHtml, renderFrame } from "./html";

export interface RtmRegistrationOptions {
  backend: EventSiteBackend;
  /** The Event API base (ends with `/`) and the web application's emApplicationtoken. */
  eventApi: { url: string; token: string };
}

export const RTM_REGISTER_PATH = "/rtm/register";
const SCRIPT_PATH = `${ASSET_PREFIX}rtm-register.js`;

/** The page's own script: no inline code, so the page keeps the event site's strict policy. */
const RTM_REGISTER_SCRIPT = `"use strict";
(function () {
  var form = document.getElementById("rtm-registration");
  var message = document.getElementById("rtm-message");
  if (!form || !message) return;
  function say(text) { message.textContent = text; }
  // Microsoft's sample answers "redirectUrl " (trailing space): match the key loosely.
  function redirectUrlOf(body) {
    if (!body || typeof body !== "object") return null;
    var keys = Object.keys(body);
    for (var i = 0; i < keys.length; i++) {
      var value = body[keys[i]];
      if (keys[i].trim().toLowerCase() === "redirecturl" && typeof value === "string" && value.trim() !== "") return value.trim();
    }
    return null;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var attendee = {
      firstName: String(data.get("firstName") || "").trim(),
      lastName: String(data.get("lastName") || "").trim(),
      email: String(data.get("email") || "").trim(),
      passId: String(data.get("passId") || "")
    };
    if (!attendee.firstName || !attendee.lastName || attendee.email.indexOf("@") < 1) {
      say("Fill in first name, last name and a valid e-mail address.");
      return;
    }
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    say("Registering…");
    var url = form.dataset.eventApi + "events/" + encodeURIComponent(form.dataset.readableEventId) +
      "/registrations?emApplicationtoken=" + encodeURIComponent(form.dataset.token);
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ attendees: [attendee] }),
      // The stand-in takes returnUrl from the registering page's address (full URL, not only the origin).
      referrerPolicy: "unsafe-url"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) throw new Error((answer.body && answer.body.error && answer.body.error.message) || "The registration was refused.");
      var next = redirectUrlOf(answer.body);
      if (!next) { say("You are registered."); window.location.reload(); return; }
      say("Taking you to the payment page…");
      window.location.href = next;
    }).catch(function (error) {
      say(error && error.message ? error.message : "The registration could not be sent; try again.");
      if (button) button.disabled = false;
    });
  });
})();
`;

function outcomeNote(gatewayReturn: string | null): string {
  if (gatewayReturn === "success") {
    return `<p id="rtm-outcome" data-outcome="success" role="status">Payment received. Your registration is being confirmed; it appears below within a few seconds (reload the page).</p>`;
  }
  if (gatewayReturn === "cancel") {
    return `<p id="rtm-outcome" data-outcome="cancel" role="status">Payment cancelled. Your reserved pass was released; you can register again.</p>`;
  }
  return "";
}

function renderRtmRegistrationPage(
  event: EventSiteEvent,
  options: {
    eventApi: { url: string; token: string };
    gatewayReturn: string | null;
    registrations: Array<{ name: string; passName: string | null }>;
  },
): string {
  const passes = event.passes
    .map(
      (p) =>
        `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)} (${escapeHtml(formatPrice(p.price, event.currency))})</option>`,
    )
    .join("\n");
  const registered =
    options.registrations.length === 0
      ? `<p id="rtm-registrations" data-count="0">No registrations yet.</p>`
      : `<ul id="rtm-registrations" data-count="${options.registrations.length}">\n${options.registrations
          .map((r) => `<li>${escapeHtml(r.name)}${r.passName ? ` (${escapeHtml(r.passName)})` : ""}</li>`)
          .join("\n")}\n</ul>`;
  return renderFrame({
    title: `Register: ${event.name}`,
    prefix: "",
    body: `<h1>${escapeHtml(event.name)}</h1>
<p class="es-muted">Custom event website with real-time journeys: registers through the Event API; payment by the event's payment provider.</p>
${outcomeNote(options.gatewayReturn)}
<form id="rtm-registration" class="es-form" data-event-api="${escapeHtml(options.eventApi.url)}" data-token="${escapeHtml(options.eventApi.token)}" data-readable-event-id="${escapeHtml(event.readableEventId)}" novalidate>
<fieldset class="es-attendee"><legend>Attendee</legend>
<label>First name <input name="firstName" autocomplete="given-name" required></label>
<label>Last name <input name="lastName" autocomplete="family-name" required></label>
<label>E-mail <input name="email" type="email" autocomplete="email" required></label>
${event.passes.length > 0 ? `<label>Pass <select name="passId">\n${passes}\n</select></label>` : ""}
</fieldset>
<button type="submit" class="es-button">Register and pay</button>
</form>
<div id="rtm-message" class="es-message" role="alert"></div>
<h2>Registrations for this event</h2>
${registered}
<script src="${SCRIPT_PATH}" defer></script>`,
  });
}

/** Route hook for the preview server: the page and its script; anything else is left to other hooks. */
export function createRtmRegistrationRoutes(options: RtmRegistrationOptions): { handle: RouteHook } {
  const apiOrigin = new URL(options.eventApi.url).origin;
  const csp = EVENT_SITE_CSP.replace("connect-src 'self'", `connect-src 'self' ${apiOrigin}`);
  const handle: RouteHook = async (req, res, url) => {
    if (url.pathname === SCRIPT_PATH) {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" });
      res.end(RTM_REGISTER_SCRIPT);
      return true;
    }
    if (url.pathname.replace(/\/+$/, "") !== RTM_REGISTER_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
      res.end("This page answers GET only.\n");
      return true;
    }
    const id = url.searchParams.get("id")?.trim() ?? "";
    const event = id ? options.backend.findEvent(id) : undefined;
    const headers = {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": csp,
      "Cache-Control": "no-store",
    };
    if (!event) {
      res.writeHead(404, headers);
      res.end(
        req.method === "HEAD"
          ? undefined
          : renderFrame({
              title: "No such event",
              prefix: "",
              body: `<h1>No such event</h1><p>Open ${escapeHtml(RTM_REGISTER_PATH)}?id=&lt;readable event id&gt;.</p>`,
            }),
      );
      return true;
    }
    const html = renderRtmRegistrationPage(event, {
      eventApi: options.eventApi,
      gatewayReturn: url.searchParams.get("gatewayReturn"),
      registrations: options.backend.registrations(event.readableEventId),
    });
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : html);
    return true;
  };
  return { handle };
}
