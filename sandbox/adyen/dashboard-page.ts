// GET /dashboard: the stand-in's links, payments, modifications and notifications with their
// delivery, and the knobs a person can turn (refunds fail, duplicate deliveries). Read-mostly: the
// knob forms post to /dashboard/knobs.

import { escapeHtml } from "../../common/escape-html";
import { linkStatus } from "./adyen-state";
import { htmlPage } from "./hosted-page";
import type { StandInContext } from "./stand-in-context";

export const DASHBOARD_PATH = "/dashboard";

function table(headers: string[], rows: unknown[][]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("");
  return `<table><tr>${head}</tr>${body || `<tr><td colspan="${headers.length}">none</td></tr>`}</table>`;
}

function render(ctx: StandInContext, webhookUrl: string | null): Response {
  const { state, knobs } = ctx;
  const links = [...state.links.values()].map((l) => [
    l.id,
    l.reference,
    `${l.amount.value} ${l.amount.currency}`,
    linkStatus(l, ctx.now()),
    l.expiresAt.toISOString(),
  ]);
  const payments = [...state.payments.values()].map((p) => [
    p.pspReference,
    p.linkId,
    p.merchantReference,
    `${p.amount.value} ${p.amount.currency}`,
    p.authorised ? "authorised" : "refused",
    p.refundable,
  ]);
  const mods = state.modifications.map((m) => [
    m.pspReference,
    m.kind,
    m.paymentPspReference,
    m.amount ? `${m.amount.value} ${m.amount.currency}` : "",
    m.success,
  ]);
  const notes = state.notifications.map((n) => [
    n.id,
    n.item.eventCode,
    n.item.success,
    n.item.pspReference,
    n.attempts,
    n.delivered,
    n.lastAnswer ?? "",
  ]);
  const knob = (name: string, value: boolean) =>
    `<form method="post" action="${DASHBOARD_PATH}/knobs"><input type="hidden" name="${name}" value="${String(!value)}"><button>${escapeHtml(name)}: ${String(value)} → ${String(!value)}</button></form>`;
  return htmlPage(
    "Adyen stand-in: dashboard",
    `<h1>Adyen stand-in</h1><p>Webhook URL: ${escapeHtml(webhookUrl ?? "not set")}</p>
${knob("refundSucceeds", knobs.refundSucceeds)}${knob("duplicateDeliveries", knobs.duplicateDeliveries)}
<h2>Payment links</h2>${table(["id", "reference", "amount", "status", "expires"], links)}
<h2>Payments</h2>${table(["pspReference", "link", "merchantReference", "amount", "result", "refundable"], payments)}
<h2>Modifications</h2>${table(["pspReference", "kind", "payment", "amount", "success"], mods)}
<h2>Notifications</h2>${table(["#", "eventCode", "success", "pspReference", "attempts", "delivered", "last answer"], notes)}`,
  );
}

/** GET /dashboard, POST /dashboard/knobs; null for other paths. */
export async function handleDashboard(
  ctx: StandInContext,
  request: Request,
  webhookUrl: string | null,
): Promise<Response | null> {
  const url = new URL(request.url);
  if (url.pathname === DASHBOARD_PATH && request.method === "GET") return render(ctx, webhookUrl);
  if (url.pathname !== `${DASHBOARD_PATH}/knobs` || request.method !== "POST") return null;
  // Another site's page must not turn the knobs: a form post from elsewhere carries its own Origin.
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== ctx.origin())
    return new Response("Cross-origin post refused", { status: 403 });
  const form = new URLSearchParams(await request.text());
  for (const name of ["refundSucceeds", "duplicateDeliveries"] as const) {
    const value = form.get(name);
    if (value === "true" || value === "false") ctx.knobs[name] = value === "true";
  }
  return new Response(null, { status: 303, headers: { location: DASHBOARD_PATH } });
}
