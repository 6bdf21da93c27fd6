// The three-way report for a person (one table), a script (JSON) or a spreadsheet (CSV). Amounts
// as decimals with their currency; the verdict in words and as a stable code.

import { formatMinor } from "../providers/money";
import type { FixResult } from "./fix-lines";
import type { ReconcileLine, ReconcileSources } from "./three-way";
import { VERDICT_WORDS } from "./three-way";

function columns(line: ReconcileLine) {
  const paid = line.payments.filter((p) => p.paid);
  const currency = paid[0]?.paid?.currency ?? line.store?.expected.currency ?? "";
  const paidMinor = paid.reduce((s, p) => s + (p.paid?.minor ?? 0), 0);
  const refundedMinor = paid.reduce((s, p) => s + Math.max(0, p.refundedMinor), 0);
  const dv = line.dataverse;
  return {
    purchaseId: line.purchaseId,
    verdict: line.verdict,
    payments: paid.map((p) => `${p.provider}:${p.providerPaymentId ?? p.providerSessionId}`).join(" "),
    currency,
    providerPaid: paid.length > 0 ? formatMinor({ minor: paidMinor, currency }) : "",
    providerRefunded: paid.length > 0 ? formatMinor({ minor: refundedMinor, currency }) : "",
    storeState: line.store?.state ?? "",
    storeRefunded: line.store
      ? formatMinor({ minor: line.store.refundedMinor, currency: line.store.expected.currency })
      : "",
    dataverse:
      dv === null
        ? "no purchase"
        : `${dv.processed ? "processed" : "not processed"}, ${dv.registrations} registration(s)`,
    detail: line.detail,
  };
}

export function threeWayToJson(
  lines: ReconcileLine[],
  sources: ReconcileSources,
  now: number,
  fixes: FixResult[] | null,
): unknown {
  const counts: Record<string, number> = {};
  for (const l of lines) counts[l.verdict] = (counts[l.verdict] ?? 0) + 1;
  return {
    generatedAt: new Date(now).toISOString(),
    sources,
    allSettled: lines.every((l) => l.verdict === "settled"),
    counts,
    lines: lines.map((l) => ({ ...l, verdictText: VERDICT_WORDS[l.verdict] })),
    ...(fixes ? { fixes } : {}),
  };
}

const CSV_HEADERS = [
  "purchase",
  "verdict",
  "payments",
  "currency",
  "provider_paid",
  "provider_refunded",
  "store_state",
  "store_refunded",
  "dataverse",
  "detail",
];

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function threeWayToCsv(lines: ReconcileLine[]): string {
  const rows = lines.map((l) =>
    Object.values(columns(l))
      .map((v) => csvCell(String(v)))
      .join(","),
  );
  return `${[CSV_HEADERS.join(","), ...rows].join("\r\n")}\r\n`;
}

export function threeWayToText(
  lines: ReconcileLine[],
  sources: ReconcileSources,
  fixes: FixResult[] | null,
): string {
  const out: string[] = [];
  const noListing = Object.entries(sources.providers)
    .filter(([, s]) => s === "store")
    .map(([n]) => n);
  out.push(`Reconcile since ${sources.since}: ${lines.length} purchase(s)`);
  if (noListing.length > 0)
    out.push(
      `  ${noListing.join(", ")}: no listing API; seen through the store (a payment whose notification never came is not visible)`,
    );
  for (const l of lines) {
    const c = columns(l);
    const paid = c.providerPaid
      ? `${c.providerPaid} ${c.currency} paid, ${c.providerRefunded} refunded`
      : "no payment";
    out.push(
      `${VERDICT_WORDS[l.verdict].padEnd(24)} ${l.purchaseId}  provider: ${paid}; store: ${c.storeState || "unknown"}${l.store ? ` (${c.storeRefunded} refunded)` : ""}; Dataverse: ${c.dataverse}`,
      `${"".padEnd(24)} ${l.detail}`,
    );
  }
  const open = lines.filter((l) => l.verdict !== "settled").length;
  out.push(open === 0 ? "Every line is settled." : `${open} line(s) need attention.`);
  for (const f of fixes ?? []) out.push(`fix ${f.purchaseId}: ${f.action.replace(/_/g, " ")} (${f.detail})`);
  return `${out.join("\n")}\n`;
}
