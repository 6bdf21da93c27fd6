// The hosted checkout page a session's `url` points at: the line items and the total, and three
// buttons. Pay completes the session and redirects to success_url ({CHECKOUT_SESSION_ID} filled in);
// Decline refuses the card, keeps the session open and shows why; Cancel returns to cancel_url.
// Plain HTML forms: no script, no external assets, every control reachable by keyboard.
import { ApiError } from "./api-error";
import { declineSession, getSessionExtras, paySession, refreshSession } from "./checkout-sessions";
import { parseFormBody } from "./form-body";
import type { HttpReply } from "./api-routes";
import { escapeHtml, formatMinor, page, PAGE_HEADERS } from "./html";
import type { SessionObject } from "./objects";
import type { ProviderContext } from "./provider-context";

export const HOSTED_PAGE_PREFIX = "/c/pay/";

function html(status: number, body: string, extra: Record<string, string> = {}): HttpReply {
  return { status, headers: { ...PAGE_HEADERS, ...extra }, body };
}

function redirect(location: string): HttpReply {
  return { status: 303, headers: { location, "cache-control": "no-store" }, body: "" };
}

function successRedirect(session: SessionObject): string | null {
  return session.success_url === null
    ? null
    : session.success_url.split("{CHECKOUT_SESSION_ID}").join(session.id);
}

function renderSession(
  context: ProviderContext,
  session: SessionObject,
  message: { text: string; alert: boolean } | null,
): string {
  const extras = getSessionExtras(context, session.id);
  const money = (minor: number): string => formatMinor(minor, session.currency, session.locale);
  const rows = extras.lineItems
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.description)}</td><td>${item.quantity}</td><td>${escapeHtml(money(item.amount_total))}</td></tr>`,
    )
    .join("\n");
  const notice =
    message === null
      ? ""
      : `<p class="${message.alert ? "alert" : "note"}" ${message.alert ? 'role="alert"' : 'role="status"'}>${escapeHtml(message.text)}</p>`;
  const expires = new Date(session.expires_at * 1000).toISOString().replace("T", " ").slice(0, 16);
  let actions = "";
  if (session.status === "open") {
    actions = `
<form method="post" action="${HOSTED_PAGE_PREFIX}${escapeHtml(session.id)}">
  <p class="note">Sandbox card: nothing is charged. Choose what the card does.</p>
  <button class="primary" type="submit" name="action" value="pay" autofocus>Pay ${escapeHtml(money(session.amount_total))}</button>
  <button type="submit" name="action" value="decline">Decline card</button>
  <button type="submit" name="action" value="cancel">Cancel</button>
</form>
<p class="note">This page stops taking payment at ${escapeHtml(expires)} UTC.</p>`;
  } else if (session.status === "complete") {
    const back = successRedirect(session);
    actions = `<p role="status">This payment is complete.</p>${back === null ? "" : `<p><a href="${escapeHtml(back)}">Return to the site</a></p>`}`;
  } else {
    actions = `<p role="status">This checkout session has expired; it no longer takes payment.</p>${
      session.cancel_url === null
        ? ""
        : `<p><a href="${escapeHtml(session.cancel_url)}">Return to the site</a></p>`
    }`;
  }
  return page(
    "Checkout (sandbox)",
    `<main>
<h1>Checkout</h1>
<p class="note">Payment provider sandbox · test mode · <code>${escapeHtml(session.id.slice(0, 20))}…</code></p>
${notice}
<table>
<caption class="note">Order</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Qty</th><th scope="col">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row" colspan="2">Total</th><td><strong>${escapeHtml(money(session.amount_total))}</strong></td></tr></tfoot>
</table>
${actions}
</main>`,
    session.locale === null || session.locale === "auto" ? "en" : session.locale,
  );
}

function notFound(): HttpReply {
  return html(
    404,
    page(
      "Checkout not found",
      `<main><h1>Checkout not found</h1><p>This checkout link is not valid. Start the payment again from the site.</p></main>`,
    ),
  );
}

function loadSession(context: ProviderContext, id: string): SessionObject | null {
  try {
    return refreshSession(context, id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** GET and POST under /c/pay/{sessionId}. */
export function handleHostedPage(
  context: ProviderContext,
  request: { method: string; path: string; query: string; body: string },
): HttpReply {
  const id = decodeURIComponent(request.path.slice(HOSTED_PAGE_PREFIX.length));
  const session = loadSession(context, id);
  if (session === null) return notFound();
  const view = new URLSearchParams(request.query);

  if (request.method === "GET" || request.method === "HEAD") {
    let message: { text: string; alert: boolean } | null = null;
    if (view.get("declined") === "1" && session.status === "open") {
      message = {
        text: "Your card was declined. Nothing was charged. Try again, or cancel and return to the site.",
        alert: true,
      };
    }
    return html(200, renderSession(context, session, message));
  }
  if (request.method !== "POST")
    return html(405, page("Not allowed", "<main><p>Use the buttons on the checkout page.</p></main>"), {
      allow: "GET, POST",
    });

  const action = parseFormBody(request.body).action;
  const self = `${HOSTED_PAGE_PREFIX}${encodeURIComponent(id)}`;
  if (action === "pay") {
    const result = paySession(context, id);
    if (result.outcome === "not_open" && result.session.status === "complete") {
      // A second click on Pay (or a resubmitted form): nothing is charged again, the person goes on.
      return redirect(successRedirect(result.session) ?? self);
    }
    if (result.outcome !== "paid") {
      return html(
        409,
        renderSession(context, result.session, { text: "This checkout can no longer be paid.", alert: true }),
      );
    }
    return redirect(successRedirect(result.session) ?? self);
  }
  if (action === "decline") {
    const result = declineSession(context, id);
    if (result.outcome !== "declined") {
      return html(
        409,
        renderSession(context, result.session, { text: "This checkout can no longer be paid.", alert: true }),
      );
    }
    return redirect(`${self}?declined=1`);
  }
  if (action === "cancel") {
    return redirect(session.cancel_url ?? self);
  }
  return html(
    400,
    renderSession(context, session, { text: "Choose Pay, Decline card or Cancel.", alert: true }),
  );
}
