// The reconciliation report as plain tables (for a person) or JSON (for a script): purchases paid
// but not finalized, refunds not yet settled, and dead letters waiting for a human.

import { describeMoney } from "../providers/money";
import type { ReconcileReport } from "../store/types";

const iso = (t: number | null) => (t === null ? "" : new Date(t).toISOString());

/** A refund still unsettled after this long needs a person (spec: alert after 24 h). */
export const REFUND_OVERDUE_MS = 24 * 60 * 60_000;

const isOverdue = (r: { state: string; createdAt: number }, now: number) =>
  (r.state === "requested" || r.state === "pending") && now - r.createdAt > REFUND_OVERDUE_MS;

export function reportToJson(report: ReconcileReport, now: number): unknown {
  return {
    generatedAt: iso(now),
    paidNotFinalized: report.paidNotFinalized.map((p) => ({
      purchaseId: p.purchaseId,
      readableEventId: p.readableEventId,
      state: p.state,
      paymentId: p.winningPaymentId,
      amount: { minor: p.expectedMinor, currency: p.currency },
      deadlineAt: iso(p.deadlineAt),
      pastDeadline: now >= p.deadlineAt,
      finalizeAttempts: p.finalizeAttempts,
      lastError: p.lastError,
    })),
    settledElsewhere: report.settledElsewhere.map((p) => ({
      provider: p.provider,
      paymentId: p.providerPaymentId,
      purchaseId: p.purchaseId,
      amount:
        p.amountMinor === null || p.currency === null ? null : { minor: p.amountMinor, currency: p.currency },
    })),
    refunds: report.refundsOpen.map((r) => ({
      refundKey: r.refundKey,
      purchaseId: r.purchaseId,
      paymentId: r.providerPaymentId,
      refundId: r.providerRefundId,
      amount: { minor: r.amountMinor, currency: r.currency },
      reason: r.reason,
      state: r.state,
      overdue: isOverdue(r, now),
      requestedAt: iso(r.createdAt),
      lastError: r.lastError,
    })),
    deadLetters: report.deadLetters.map((d) => ({
      id: d.id,
      purchaseId: d.purchaseId,
      kind: d.kind,
      reason: d.reason,
      detail: d.detail,
      createdAt: iso(d.createdAt),
    })),
  };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) =>
    Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const text = c.length > w ? `${c.slice(0, w - 1)}…` : c;
        return text.padEnd(w);
      })
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function reportToText(report: ReconcileReport, now: number): string {
  const sections: string[] = [];
  const paid = report.paidNotFinalized;
  sections.push(
    `Paid but not finalized (${paid.length})`,
    paid.length === 0
      ? "  none"
      : table(
          ["purchase", "event", "state", "payment", "amount", "deadline", "attempts", "last error"],
          paid.map((p) => [
            p.purchaseId,
            p.readableEventId,
            now >= p.deadlineAt ? `${p.state} (PAST DEADLINE)` : p.state,
            p.winningPaymentId ?? "",
            describeMoney({ minor: p.expectedMinor, currency: p.currency }),
            iso(p.deadlineAt),
            String(p.finalizeAttempts),
            p.lastError ?? "",
          ]),
        ),
  );
  const settled = report.settledElsewhere;
  if (settled.length > 0) {
    sections.push(
      "",
      `Paid, unknown to this store, registered in Dataverse: not refunded (${settled.length})`,
      table(
        ["provider", "payment", "purchase", "amount"],
        settled.map((p) => [
          p.provider,
          p.providerPaymentId,
          p.purchaseId ?? "",
          p.amountMinor === null || p.currency === null
            ? ""
            : describeMoney({ minor: p.amountMinor, currency: p.currency }),
        ]),
      ),
    );
  }
  const refunds = report.refundsOpen;
  sections.push(
    "",
    `Refunds pending or failed (${refunds.length})`,
    refunds.length === 0
      ? "  none"
      : table(
          ["refund key", "purchase", "amount", "reason", "state", "requested", "last error"],
          refunds.map((r) => [
            r.refundKey,
            r.purchaseId ?? "",
            describeMoney({ minor: r.amountMinor, currency: r.currency }),
            r.reason,
            isOverdue(r, now) ? `${r.state} (OVER 24 H)` : r.state,
            iso(r.createdAt),
            r.lastError ?? "",
          ]),
        ),
  );
  const letters = report.deadLetters;
  sections.push(
    "",
    `Dead letters (${letters.length})`,
    letters.length === 0
      ? "  none"
      : table(
          ["id", "purchase", "kind", "reason", "created", "detail"],
          letters.map((d) => [
            String(d.id),
            d.purchaseId ?? "",
            d.kind,
            d.reason,
            iso(d.createdAt),
            d.detail ?? "",
          ]),
        ),
  );
  return `${sections.join("\n")}\n`;
}
