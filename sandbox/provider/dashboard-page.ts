// The stand-in's dashboard: sessions, payments, refunds, events and every webhook delivery attempt
// with its status code, plus buttons to resend or duplicate an event, expire a session, move the
// clock and duplicate the next webhooks. Plain HTML forms that post and come back (303).
import type { HttpReply } from "./api-routes";
import { parseFormBody } from "./form-body";
import { escapeHtml, formatMinor, page, PAGE_HEADERS } from "./html";
import type { PaymentIntentObject, RefundObject, SessionObject } from "./objects";
import type { DeliveryRow, StoredEvent } from "./provider-store";

export const DASHBOARD_PATH = "/dashboard";

export interface DashboardSource {
  nowMs(): number;
  webhookUrl(): string | null;
  duplicatesPending(): number;
  sessions(limit: number): SessionObject[];
  paymentIntents(limit: number): PaymentIntentObject[];
  refunds(limit: number): RefundObject[];
  events(limit: number): StoredEvent[];
  deliveries(limit: number): DeliveryRow[];
}

export interface DashboardActions {
  resendEvent(eventId: string, copies: number): boolean;
  expireSession(sessionId: string): string | null;
  /** Refund a payment intent (all that is left, or `amountMinor`); the error message, or null. */
  refund(paymentIntentId: string, amountMinor?: number): string | null;
  advance(ms: number): void;
  duplicateNextWebhooks(count: number): void;
}

const LIMIT = 100;

function time(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
}

function button(action: string, label: string, hidden: Record<string, string>): string {
  const fields = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  // Rows repeat the same buttons; the accessible name says which object each one acts on.
  const target = Object.values(hidden).join(" ");
  return `<form class="inline" method="post" action="${DASHBOARD_PATH}/${action}">${fields}<button type="submit" aria-label="${escapeHtml(`${label} ${target}`)}">${escapeHtml(label)}</button></form>`;
}

/** The dashboard's refund: an amount in minor units (empty: all that is left). */
function refundForm(paymentIntentId: string): string {
  return `<form class="inline" method="post" action="${DASHBOARD_PATH}/refund"><input type="hidden" name="payment_intent" value="${escapeHtml(paymentIntentId)}"><label>minor units <input name="amount" inputmode="numeric" size="6"></label> <button type="submit" aria-label="${escapeHtml(`Refund ${paymentIntentId}`)}">Refund</button></form>`;
}

function table(caption: string, headings: string[], rows: string[]): string {
  const head = headings.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const body =
    rows.length === 0
      ? `<tr><td colspan="${headings.length}" class="note">none yet</td></tr>`
      : rows.join("\n");
  return `<h2>${escapeHtml(caption)}</h2><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderDashboard(source: DashboardSource, notice: string | null): string {
  const sessions = source.sessions(LIMIT).map((s) => {
    const actions = s.status === "open" ? button("expire", "Expire", { session: s.id }) : "";
    return `<tr><td><code>${escapeHtml(s.id.slice(0, 24))}…</code>${s.status === "open" && s.url !== null ? ` <a href="${escapeHtml(s.url)}">page</a>` : ""}</td>
<td>${escapeHtml(s.status)}</td><td>${escapeHtml(s.payment_status)}</td><td>${escapeHtml(formatMinor(s.amount_total, s.currency))}</td>
<td>${escapeHtml(s.client_reference_id ?? "")}</td><td>${escapeHtml(time(s.expires_at))}</td><td>${actions}</td></tr>`;
  });
  const payments = source.paymentIntents(LIMIT).map(
    (p) => `<tr><td><code>${escapeHtml(p.id)}</code></td><td>${escapeHtml(p.status)}</td>
<td>${escapeHtml(formatMinor(p.amount, p.currency))}</td><td>${escapeHtml(formatMinor(p.amount_received, p.currency))}</td>
<td>${escapeHtml(p.metadata.purchaseId ?? "")}</td><td>${p.status === "succeeded" ? refundForm(p.id) : ""}</td></tr>`,
  );
  const refunds = source.refunds(LIMIT).map(
    (
      r,
    ) => `<tr><td><code>${escapeHtml(r.id)}</code></td><td>${escapeHtml(r.status)}</td><td>${escapeHtml(formatMinor(r.amount, r.currency))}</td>
<td><code>${escapeHtml(r.payment_intent)}</code></td><td>${escapeHtml(r.reason ?? "")}</td><td>${escapeHtml(time(r.created))}</td></tr>`,
  );
  const events = source.events(LIMIT).map(
    ({
      event,
      delivery,
    }) => `<tr><td><code>${escapeHtml(event.id)}</code></td><td>${escapeHtml(event.type)}</td><td>${escapeHtml(time(event.created))}</td>
<td>${escapeHtml(delivery)}</td><td>${button("resend", "Resend", { event: event.id })} ${button("duplicate", "Duplicate", { event: event.id })}</td></tr>`,
  );
  const deliveries = source.deliveries(LIMIT * 2).map(
    (
      d,
    ) => `<tr><td><code>${escapeHtml(d.eventId)}</code></td><td>${escapeHtml(d.eventType)}</td><td>${d.series}</td><td>${d.attempt}</td>
<td class="${d.status !== null && d.status >= 200 && d.status < 300 ? "ok" : "bad"}">${escapeHtml(d.status ?? d.error ?? "")}</td>
<td>${d.durationMs} ms</td><td>${escapeHtml(new Date(d.startedAt).toISOString().slice(11, 23))}</td></tr>`,
  );
  const url = source.webhookUrl();
  return page(
    "Payment provider sandbox",
    `<main style="max-width: 70rem">
<h1>Payment provider sandbox</h1>
${notice === null ? "" : `<p class="note" role="status">${escapeHtml(notice)}</p>`}
<p>Clock: <strong>${escapeHtml(new Date(source.nowMs()).toISOString())}</strong> ·
Webhook URL: <code>${escapeHtml(url ?? "(none: events are stored, not sent)")}</code> ·
Next webhooks sent twice: ${source.duplicatesPending()}</p>
<form class="inline" method="post" action="${DASHBOARD_PATH}/advance">
<label>Move the clock forward by <input name="minutes" type="number" min="1" max="1440" value="31" required> minutes</label>
<button type="submit">Advance</button></form>
<form class="inline" method="post" action="${DASHBOARD_PATH}/duplicate-next">
<label>Send each of the next <input name="count" type="number" min="1" max="1000" value="1" required> webhooks twice</label>
<button type="submit">Duplicate next</button></form>
${table("Checkout sessions", ["id", "status", "payment", "amount", "client_reference_id", "expires (UTC)", "actions"], sessions)}
${table("Payments", ["payment intent", "status", "amount", "received", "purchaseId", "actions"], payments)}
${table("Refunds", ["refund", "status", "amount", "payment intent", "reason", "created (UTC)"], refunds)}
${table("Events", ["event", "type", "created (UTC)", "delivery", "actions"], events)}
${table("Webhook deliveries", ["event", "type", "series", "attempt", "status", "took", "at (UTC)"], deliveries)}
</main>`,
  );
}

/** GET /dashboard, GET /dashboard/state.json, POST /dashboard/{resend,duplicate,expire,refund,advance,duplicate-next}. */
export function handleDashboard(
  source: DashboardSource,
  actions: DashboardActions,
  request: { method: string; path: string; query: string; body: string },
): HttpReply {
  const back = (notice: string): HttpReply => ({
    status: 303,
    headers: {
      location: `${DASHBOARD_PATH}?notice=${encodeURIComponent(notice)}`,
      "cache-control": "no-store",
    },
    body: "",
  });
  if (request.method === "GET" && request.path === `${DASHBOARD_PATH}/state.json`) {
    const state = {
      now: new Date(source.nowMs()).toISOString(),
      webhookUrl: source.webhookUrl(),
      sessions: source.sessions(LIMIT),
      paymentIntents: source.paymentIntents(LIMIT),
      refunds: source.refunds(LIMIT),
      events: source
        .events(LIMIT)
        .map(({ event, delivery }) => ({ id: event.id, type: event.type, created: event.created, delivery })),
      deliveries: source.deliveries(LIMIT * 2),
    };
    return {
      status: 200,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
      body: JSON.stringify(state, null, 2),
    };
  }
  if (request.method === "GET" && request.path === DASHBOARD_PATH) {
    const notice = new URLSearchParams(request.query).get("notice");
    return { status: 200, headers: PAGE_HEADERS, body: renderDashboard(source, notice) };
  }
  if (request.method !== "POST") {
    return {
      status: 404,
      headers: PAGE_HEADERS,
      body: page("Not found", "<main><p>No such dashboard page.</p></main>"),
    };
  }
  return runAction(actions, request.path, parseFormBody(request.body), back);
}

/** POST /dashboard/<action>: what each form does, then back to the page with a notice. */
function runAction(
  actions: DashboardActions,
  path: string,
  form: ReturnType<typeof parseFormBody>,
  back: (notice: string) => HttpReply,
): HttpReply {
  const text = (name: string): string => (typeof form[name] === "string" ? (form[name] as string) : "");
  switch (path) {
    case `${DASHBOARD_PATH}/resend`:
      return back(
        actions.resendEvent(text("event"), 1) ? `Resent ${text("event")}.` : `No event ${text("event")}.`,
      );
    case `${DASHBOARD_PATH}/duplicate`:
      return back(
        actions.resendEvent(text("event"), 2)
          ? `Sent ${text("event")} twice at once.`
          : `No event ${text("event")}.`,
      );
    case `${DASHBOARD_PATH}/expire`: {
      const problem = actions.expireSession(text("session"));
      return back(problem ?? `Expired ${text("session")}.`);
    }
    case `${DASHBOARD_PATH}/refund`: {
      const raw = text("amount").trim();
      const amount = raw === "" ? undefined : Number(raw);
      if (amount !== undefined && (!Number.isInteger(amount) || amount <= 0))
        return back("Give the amount in whole minor units, or leave it empty for all that is left.");
      const problem = actions.refund(text("payment_intent"), amount);
      return back(problem ?? `Refunded ${text("payment_intent")}.`);
    }
    case `${DASHBOARD_PATH}/advance`: {
      const minutes = Number(text("minutes"));
      if (!Number.isFinite(minutes) || minutes <= 0) return back("Give a positive number of minutes.");
      actions.advance(minutes * 60_000);
      return back(`Clock moved forward ${minutes} min.`);
    }
    case `${DASHBOARD_PATH}/duplicate-next`: {
      const count = Number(text("count"));
      if (!Number.isInteger(count) || count <= 0)
        return back("Give a whole number of webhooks to duplicate.");
      actions.duplicateNextWebhooks(count);
      return back(`The next ${count} webhooks will each be sent twice.`);
    }
    default:
      return {
        status: 404,
        headers: PAGE_HEADERS,
        body: page("Not found", "<main><p>No such dashboard action.</p></main>"),
      };
  }
}
