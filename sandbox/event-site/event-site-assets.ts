// The event site's script and style, served from the same origin as its pages (no inline code).
// The script does what the Event Portal's registration page does on submit: post the attendees to
// the portal's register API, then, for a paid event, leave `purchase-id`, `total`, `currency` (the
// symbol) and `captcha` in sessionStorage and send the whole window to the redirect URL it got back.

export const EVENT_SITE_SCRIPT = String.raw`"use strict";
(function () {
  var GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
  var form = document.getElementById("es-registration");
  if (!form) return;
  var list = document.getElementById("es-attendees");
  var template = document.getElementById("es-attendee-template");
  var message = document.getElementById("es-message");
  var totalOut = document.getElementById("es-total");
  var submit = document.getElementById("es-submit");
  var currency = form.getAttribute("data-currency") || "";

  function fieldsets() {
    return Array.prototype.slice.call(list.querySelectorAll("fieldset.es-attendee"));
  }

  function price(fieldset) {
    var select = fieldset.querySelector("select[name=passId]");
    if (!select || select.selectedIndex < 0) return 0;
    var value = Number(select.options[select.selectedIndex].getAttribute("data-price"));
    return Number.isFinite(value) ? value : 0;
  }

  function total() {
    return fieldsets().reduce(function (sum, f) { return sum + price(f); }, 0);
  }

  function showTotal() {
    if (!totalOut) return;
    var amount = total();
    try {
      totalOut.textContent = new Intl.NumberFormat("en-US", { style: "currency", currency: currency }).format(amount);
    } catch (e) {
      totalOut.textContent = amount.toFixed(2);
    }
  }

  function renumber() {
    var all = fieldsets();
    all.forEach(function (f, i) {
      f.querySelector("legend").textContent = "Attendee " + (i + 1);
      var remove = f.querySelector(".es-remove");
      remove.textContent = "Remove attendee " + (i + 1);
      remove.hidden = all.length === 1;
    });
    showTotal();
  }

  function say(text) {
    message.textContent = text;
  }

  // The portal answers its own pages without the language prefix; the attendee stays in the
  // language of the page they registered on (a same-origin address only, never another site's).
  function withLanguage(href) {
    var prefix = form.getAttribute("data-language-prefix") || "";
    var url = new URL(href, window.location.href);
    if (!prefix || url.origin !== window.location.origin) return url.href;
    if (url.pathname.toLowerCase().indexOf(prefix.toLowerCase() + "/") !== 0) url.pathname = prefix + url.pathname;
    return url.href;
  }

  document.getElementById("es-add-attendee").addEventListener("click", function () {
    var copy = template.content.firstElementChild.cloneNode(true);
    list.appendChild(copy);
    renumber();
    copy.querySelector("input").focus();
  });

  list.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement) || !target.classList.contains("es-remove")) return;
    var fieldset = target.closest("fieldset");
    if (fieldset && fieldsets().length > 1) fieldset.remove();
    renumber();
    var first = list.querySelector("input");
    if (first) first.focus();
  });

  list.addEventListener("change", showTotal);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    say("");
    if (!form.checkValidity()) {
      form.reportValidity();
      say("Please fill in every attendee's first name, last name, a valid e-mail address and a pass.");
      return;
    }
    var attendees = fieldsets().map(function (f) {
      var pass = f.querySelector("select[name=passId]");
      return {
        firstName: f.querySelector("input[name=firstName]").value.trim(),
        lastName: f.querySelector("input[name=lastName]").value.trim(),
        email: f.querySelector("input[name=email]").value.trim(),
        passId: pass ? pass.value : null,
        waitlisted: false,
        autoRegister: false,
        responses: [],
        attendeeSessions: []
      };
    });
    var rid = form.getAttribute("data-readable-event-id");
    var tokenMeta = document.querySelector("meta[name=token]");
    submit.disabled = true;
    say("Registering…");
    fetch("/api/events/register/?readableEventId=" + encodeURIComponent(rid) + "&ts=" + Date.now(), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", validation: tokenMeta ? tokenMeta.getAttribute("content") : "" },
      body: "json=" + encodeURIComponent(JSON.stringify({ attendees: attendees, hipObject: null })),
      credentials: "same-origin"
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        var body = answer.body || {};
        if (!answer.ok || (body.status !== "Redirect" && body.status !== "Initiated" && body.status !== "Success")) {
          var error = body.error || {};
          throw new Error(body.errorMessage || error.errorMessage || "The registration was refused.");
        }
        // The confirmation page lists this purchase's attendees only: it finds them by this id.
        if (typeof body.purchaseId === "string" && GUID.test(body.purchaseId)) sessionStorage.setItem("purchase-id", body.purchaseId);
        if (body.status === "Success") {
          window.location.href = withLanguage(body.redirectUrl || form.getAttribute("data-confirmation-url"));
          return;
        }
        var sum = parseInt(String(total()), 10);
        if (!isNaN(sum)) sessionStorage.setItem("total", String(sum));
        sessionStorage.setItem("currency", form.getAttribute("data-currency-symbol") || "");
        sessionStorage.setItem("captcha", JSON.stringify(null));
        window.location.href = withLanguage(body.redirectUrl);
      })
      .catch(function (error) {
        submit.disabled = false;
        say((error && error.message ? error.message : "The registration could not be sent.") + " Check the form and try again.");
      });
  });

  renumber();
})();
(function () {
  // The confirmation page: this purchase's attendees only (the id the registration left in
  // sessionStorage), dates in the page's language.
  var box = document.getElementById("es-confirmation");
  if (!box) return;
  var status = document.getElementById("es-confirmation-status");
  var id = null;
  try { id = sessionStorage.getItem("purchase-id"); } catch (e) { id = null; }
  if (!id) { status.textContent = "Your registration is confirmed. The list of attendees shows in the browser you registered with."; return; }
  var locale = box.getAttribute("data-locale") || "en-US";
  var when = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  var query = "?readableEventId=" + encodeURIComponent(box.getAttribute("data-readable-event-id") || "") + "&purchaseId=" + encodeURIComponent(id);
  function cell(row, text, header, label) {
    var c = document.createElement(header ? "th" : "td");
    if (header) c.setAttribute("scope", "row");
    if (label) c.setAttribute("data-label", label);
    c.textContent = text;
    row.appendChild(c);
    return c;
  }
  fetch("/api/events/registrations" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error(String(response.status))); })
    .then(function (body) {
      var rows = (body && body.registrations) || [];
      if (rows.length === 0) {
        status.textContent = "Your registration is not confirmed yet. If you have just paid, reload this page in a few seconds.";
        return;
      }
      var table = document.getElementById("es-registrations");
      var tbody = table.querySelector("tbody");
      rows.forEach(function (r) {
        var tr = document.createElement("tr");
        cell(tr, r.name, true);
        cell(tr, r.email, false, "E-mail").className = "es-email";
        cell(tr, r.passName || "—", false, "Pass");
        var time = document.createElement("time");
        time.setAttribute("datetime", r.createdOn);
        var date = new Date(r.createdOn);
        time.textContent = isNaN(date.getTime()) ? r.createdOn : when.format(date);
        cell(tr, "", false, "Registered").appendChild(time);
        tbody.appendChild(tr);
      });
      table.querySelector("caption").textContent = rows.length === 1 ? "Your registration" : "Your " + rows.length + " registrations";
      table.hidden = false;
      status.textContent = "";
    })
    .catch(function () { status.textContent = "The list of attendees could not be loaded; your registration is confirmed all the same."; });
})();
`;

export const EVENT_SITE_STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.5}
.es-header{background:#0b3d91;padding:.75rem 1rem}.es-header a{color:#fff;margin-right:1rem;font-weight:600}
main{max-width:44rem;margin:0 auto;padding:1rem}
.es-footer{border-top:1px solid #ccc;padding:.5rem 1rem;font-size:.875rem;color:#444}
.es-muted{color:#555}
.es-table{border-collapse:collapse;width:100%;margin:1rem 0}.es-table caption{text-align:left;font-weight:600}
.es-table th,.es-table td{border:1px solid #bbb;padding:.4rem .5rem;text-align:left;overflow-wrap:normal;word-break:normal}
.es-table .es-email{overflow-wrap:anywhere}
@media (max-width:36rem){.es-stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}.es-stack tr,.es-stack th,.es-stack td{display:block}.es-stack tr{border:1px solid #bbb;margin:.5rem 0}.es-stack th,.es-stack td{border:0}.es-stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
.es-button,button{display:inline-block;background:#0b3d91;color:#fff;border:0;border-radius:4px;padding:.55rem 1rem;font:inherit;text-decoration:none;cursor:pointer}
button.es-remove,#es-add-attendee{background:#fff;color:#0b3d91;border:2px solid #0b3d91}
button:disabled{background:#777}
[hidden]{display:none!important}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
fieldset{border:1px solid #bbb;border-radius:4px;margin:0 0 1rem}
label{display:block;margin:.4rem 0}input,select{display:block;font:inherit;padding:.3rem;min-width:16rem;max-width:100%}
.es-message{color:#a4000f;font-weight:600;min-height:1.5em}
main.es-status{max-width:none}
.es-status table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.85rem}
.es-status th,.es-status td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}
.es-status td{overflow-wrap:anywhere}
.es-status #status-pause{margin:0 .5rem;padding:.2rem .6rem}
`;
