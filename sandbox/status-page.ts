// The sandbox's status page: one read-only view of what each part holds right now: the purchases
// (as Dataverse and as the confirmation endpoint see them), the registrations, the refunds (the
// endpoint's and the provider's), the rows of the Dataverse payments table, the endpoint's outbox
// and its dead letters. Served as HTML (it
// reloads itself every few seconds, without script) and as JSON.
import { NO_FAVICON } from "./portal-look";
import type { PaymentStore } from "../confirmation-endpoint/store/types";
import type { DataverseStandIn } from "./dataverse/start-dataverse-stand-in";
import type { ProviderStandIn } from "./provider/start-provider-stand-in";
import { escapeHtml } from "../common/escape-html";
import { PAYMENT_STATUS, paymentsTableNames } from "../confirmation-endpoint/payments-table/definition";

const STATUS_NAMES = new Map(Object.entries(PAYMENT_STATUS).map(([name, value]) => [value, name]));

export interface StatusSources {
  dataverse: Pick<DataverseStandIn, "state">;
  provider: Pick<ProviderStandIn, "state">;
  /** The endpoint's store; null while the endpoint is not running. */
  store: PaymentStore | null;
  now: () => number;
  /** The payments table's publisher prefix (default epgk): its rows are listed as Dataverse holds them. */
  paymentsTablePrefix?: string;
}

export interface SandboxStatus {
  now: string;
  purchases: Array<{
    purchaseId: string;
    readableEventId: string;
    createdOn: string;
    expiresAt: string;
    dataverseState: string;
    paid: boolean;
    processed: boolean;
    total: number;
    registrations: number;
    endpointState: string | null;
    endpointDeadline: string | null;
  }>;
  registrations: Array<{ registrationId: string; name: string; readableEventId: string; createdOn: string }>;
  refunds: Array<{
    refundKey: string;
    purchaseId: string | null;
    amountMinor: number;
    currency: string;
    reason: string;
    state: string;
    providerRefundId: string | null;
  }>;
  /** Rows of the Dataverse payments table (empty when the table does not exist). */
  payments: Array<{
    providerPaymentId: string;
    provider: string;
    purchaseId: string;
    status: string;
    amountMinor: number | null;
    refundedMinor: number | null;
    currency: string;
    statusChangedOn: string;
  }>;
  providerRefunds: Array<{
    id: string;
    paymentIntent: string;
    amount: number;
    currency: string;
    status: string;
    created: string;
  }>;
  outbox: Array<{
    id: number;
    kind: string;
    purchaseId: string | null;
    notBefore: string;
    attempts: number;
    lockedBy: string | null;
    lastError: string | null;
  }>;
  deadLetters: Array<{
    id: number;
    purchaseId: string | null;
    kind: string;
    reason: string;
    createdAt: string;
    resolved: boolean;
  }>;
}

const iso = (ms: number | null | undefined): string | null =>
  typeof ms === "number" && Number.isFinite(ms) ? new Date(ms).toISOString() : null;
const text = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

export async function collectSandboxStatus(sources: StatusSources): Promise<SandboxStatus> {
  const dv = sources.dataverse.state;
  const events = new Map(
    dv.list("msevtmgt_events").map((e) => [text(e.msevtmgt_eventid), text(e.msevtmgt_readableeventid)]),
  );
  const purchases: SandboxStatus["purchases"] = [];
  for (const row of dv.list("msevtmgt_eventpurchases")) {
    const purchaseId = text(row.msevtmgt_eventpurchaseid);
    const snap = dv.purchase(purchaseId);
    const mine = sources.store ? await sources.store.getPurchase(purchaseId) : null;
    purchases.push({
      purchaseId,
      readableEventId: snap.readableEventId,
      createdOn: snap.createdOn,
      expiresAt: snap.expiresAt,
      dataverseState: snap.state,
      paid: snap.paid,
      processed: snap.processed,
      total: snap.totalPrice,
      registrations: snap.registrationIds.length,
      endpointState: mine?.state ?? null,
      endpointDeadline: iso(mine?.deadlineAt),
    });
  }
  purchases.sort((a, b) => b.createdOn.localeCompare(a.createdOn));
  const registrations = dv
    .list("msevtmgt_eventregistrations")
    .map((r) => ({
      registrationId: text(r.msevtmgt_eventregistrationid),
      name: text(r.msevtmgt_name),
      readableEventId: events.get(text(r._msevtmgt_eventid_value)) ?? "",
      createdOn: text(r.createdon),
    }))
    .sort((a, b) => b.createdOn.localeCompare(a.createdOn));
  const store = sources.store;
  const refunds = store ? await store.listRefunds() : [];
  const jobs = store ? await store.listJobs() : [];
  const deadLetters = store ? await store.listDeadLetters() : [];
  return {
    now: new Date(sources.now()).toISOString(),
    purchases,
    registrations,
    refunds: refunds.map((r) => ({
      refundKey: r.refundKey,
      purchaseId: r.purchaseId,
      amountMinor: r.amountMinor,
      currency: r.currency,
      reason: r.reason,
      state: r.state,
      providerRefundId: r.providerRefundId,
    })),
    payments: paymentsRows(sources),
    providerRefunds: sources.provider.state.refunds().map((r) => ({
      id: r.id,
      paymentIntent: r.payment_intent,
      amount: r.amount,
      currency: r.currency,
      status: r.status,
      created: new Date(r.created * 1000).toISOString(),
    })),
    outbox: jobs.map((j) => ({
      id: j.id,
      kind: j.kind,
      purchaseId: j.purchaseId,
      notBefore: iso(j.notBefore) ?? "",
      attempts: j.attempts,
      lockedBy: j.lockedBy,
      lastError: j.lastError,
    })),
    deadLetters: deadLetters.map((d) => ({
      id: d.id,
      purchaseId: d.purchaseId,
      kind: d.kind,
      reason: d.reason,
      createdAt: iso(d.createdAt) ?? "",
      resolved: d.resolvedAt !== null,
    })),
  };
}

function table(id: string, caption: string, headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return `<h2 id="${id}-heading">${escapeHtml(caption)}</h2>\n<p id="${id}">None.</p>`;
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c) => `<td>${escapeHtml(typeof c === "boolean" ? (c ? "yes" : "no") : (c ?? "—"))}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<h2 id="${id}-heading">${escapeHtml(caption)}</h2>\n<table id="${id}" aria-labelledby="${id}-heading">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export interface StatusLinks {
  portal?: string;
  providerDashboard?: string;
  endpoint?: string;
}

function navLinks(links: StatusLinks): string {
  return Object.entries({
    "Event site": links.portal ? `${links.portal}/event` : undefined,
    "Provider dashboard": links.providerDashboard,
    "Endpoint metrics": links.endpoint ? `${links.endpoint}/metrics` : undefined,
  })
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .map(([label, href]) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`)
    .join(" · ");
}

const PURCHASE_COLUMNS = [
  "Purchase",
  "Event",
  "Created",
  "Expires",
  "Dataverse",
  "Paid",
  "Processed",
  "Total",
  "Registrations",
  "Endpoint",
  "Endpoint deadline",
];

function paymentsRows(sources: StatusSources): SandboxStatus["payments"] {
  const names = paymentsTableNames(sources.paymentsTablePrefix);
  const c = names.columns;
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  return sources.dataverse.state
    .list(names.expectedSet)
    .map((r) => ({
      providerPaymentId: text(r[c.providerPaymentId]),
      provider: text(r[c.provider]),
      purchaseId: text(r[c.purchaseRef]),
      status: STATUS_NAMES.get(r[c.status] as never) ?? text(r[c.status]),
      amountMinor: num(r[c.amountMinor]),
      refundedMinor: num(r[c.refundedMinor]),
      currency: text(r[c.currency]),
      statusChangedOn: text(r[c.statusChangedOn]),
    }))
    .sort((a, b) => b.statusChangedOn.localeCompare(a.statusChangedOn));
}

function paymentsTableSection(status: SandboxStatus): string {
  return table(
    "payments-table",
    "Payments table (Dataverse)",
    [
      "Provider payment",
      "Provider",
      "Purchase",
      "Status",
      "Amount (minor)",
      "Refunded (minor)",
      "Currency",
      "Status changed",
    ],
    status.payments.map((p) => [
      p.providerPaymentId,
      p.provider,
      p.purchaseId,
      p.status,
      p.amountMinor,
      p.refundedMinor,
      p.currency,
      p.statusChangedOn,
    ]),
  );
}

/** The page's tables: purchases, registrations, refunds on both sides, payments, the outbox and dead letters. */
function statusTables(status: SandboxStatus): string {
  return [
    table(
      "purchases",
      "Purchases",
      PURCHASE_COLUMNS,
      status.purchases.map((p) => [
        p.purchaseId,
        p.readableEventId,
        p.createdOn,
        p.expiresAt,
        p.dataverseState,
        p.paid,
        p.processed,
        p.total,
        p.registrations,
        p.endpointState,
        p.endpointDeadline,
      ]),
    ),
    table(
      "registrations",
      "Registrations",
      ["Registration", "Attendee", "Event", "Created"],
      status.registrations.map((r) => [r.registrationId, r.name, r.readableEventId, r.createdOn]),
    ),
    table(
      "refunds",
      "Refunds (endpoint)",
      ["Key", "Purchase", "Amount (minor)", "Currency", "Reason", "State", "Provider refund"],
      status.refunds.map((r) => [
        r.refundKey,
        r.purchaseId,
        r.amountMinor,
        r.currency,
        r.reason,
        r.state,
        r.providerRefundId,
      ]),
    ),
    table(
      "provider-refunds",
      "Refunds (provider)",
      ["Refund", "Payment", "Amount (minor)", "Currency", "Status", "Created"],
      status.providerRefunds.map((r) => [r.id, r.paymentIntent, r.amount, r.currency, r.status, r.created]),
    ),
    paymentsTableSection(status),
    table(
      "outbox",
      "Endpoint outbox",
      ["Job", "Kind", "Purchase", "Due", "Attempts", "Leased by", "Last error"],
      status.outbox.map((j) => [
        j.id,
        j.kind,
        j.purchaseId,
        j.notBefore,
        j.attempts,
        j.lockedBy,
        j.lastError,
      ]),
    ),
    table(
      "dead-letters",
      "Dead letters",
      ["Id", "Purchase", "Kind", "Reason", "Created", "Resolved"],
      status.deadLetters.map((d) => [d.id, d.purchaseId, d.kind, d.reason, d.createdAt, d.resolved]),
    ),
  ].join("\n");
}

/**
 * Refreshes the page's live part (#status-live) every 5 seconds by fetching the page again, without
 * reloading it (a meta refresh moves focus and scroll, and axe counts it as critical); the button
 * pauses and resumes, the "Refresh now" link works without JavaScript.
 */
const REFRESH_SCRIPT = `(function () {
  var button = document.getElementById("status-pause");
  var note = document.getElementById("status-refresh-note");
  var paused = false;
  button.hidden = false;
  button.addEventListener("click", function () {
    paused = !paused;
    button.textContent = paused ? "Resume refreshing" : "Pause refreshing";
    button.setAttribute("aria-pressed", String(paused));
    note.textContent = paused ? "Refreshing paused." : "Refreshes every 5 seconds.";
  });
  setInterval(function () {
    if (paused || document.hidden) return;
    fetch(location.href, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(String(r.status))); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("status-live");
        var live = document.getElementById("status-live");
        if (next && live) live.replaceWith(next);
      })
      .catch(function () { note.textContent = "Could not refresh; the sandbox may have stopped."; });
  }, 5000);
})();`;

export function renderStatusPage(status: SandboxStatus, links: StatusLinks = {}): string {
  const nav = navLinks(links);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${NO_FAVICON}
<title>Sandbox status</title>
<link rel="stylesheet" href="/event-site/event-site.css">
</head>
<body>
<main id="main" class="es-status">
<h1>Sandbox status</h1>
<p>Read-only. JSON: <a href="/sandbox/status.json">/sandbox/status.json</a>.
<span id="status-refresh-note">Refreshes every 5 seconds.</span>
<button type="button" id="status-pause" aria-pressed="false" hidden>Pause refreshing</button>
<a href="/sandbox/status">Refresh now</a></p>
${nav ? `<p>${nav}</p>` : ""}
<div id="status-live">
<p>Sandbox time: <time datetime="${escapeHtml(status.now)}">${escapeHtml(status.now)}</time>.</p>
${statusTables(status)}
</div>
</main>
<script>${REFRESH_SCRIPT}</script>
</body>
</html>
`;
}
