// One line's verdict from what the three systems say, first match wins (pure; the table is in
// docs/finance.md). "Registered" means Dataverse has the purchase processed or registrations for
// its attendees. A partial refund the kit recorded, with the registration kept, is settled: the
// organizer decided so. What --fix may do on its own is decided here too.

import { describeMoney } from "../providers/money";
import type { Money } from "../providers/types";
import type { ReconcileLine, Verdict } from "./three-way";

type Facts = Pick<ReconcileLine, "payments" | "store" | "dataverse"> & { now: number };
type Judged = { verdict: Verdict; detail: string; fix: ReconcileLine["fix"] };

const FINALIZE_AGAIN = new Set(["paid", "finalizing"]);

function money(minor: number, currency: string): string {
  return describeMoney({ minor, currency });
}

function sums(f: Facts) {
  const paid = f.payments.filter((p) => p.paid !== null);
  const currency = paid[0]?.paid?.currency ?? f.store?.expected.currency ?? "EUR";
  const paidMinor = paid.reduce((s, p) => s + (p.paid?.minor ?? 0), 0);
  // A re-read (no listing) does not say how much was refunded: trust the store's word for it.
  const providerRefunded = paid.reduce((s, p) => s + (p.refundedMinor >= 0 ? p.refundedMinor : 0), 0);
  const unknownRefunds = paid.some((p) => p.refundedMinor < 0);
  const storeRefunded = f.store?.refundedMinor ?? 0;
  const refunded = unknownRefunds ? Math.max(providerRefunded, storeRefunded) : providerRefunded;
  return { paid, currency, paidMinor, refunded, storeRefunded, net: paidMinor - refunded };
}

function amountProblem(f: Facts, kept: Money | null): string | null {
  if (!kept || !f.store) return null;
  if (kept.minor !== f.store.expected.minor || kept.currency !== f.store.expected.currency)
    return `paid ${describeMoney(kept)}, the store expected ${describeMoney(f.store.expected)}`;
  const dv = f.dataverse?.amount ?? null;
  if (dv && (dv.minor !== kept.minor || dv.currency !== kept.currency))
    return `paid ${describeMoney(kept)}, Dataverse says ${describeMoney(dv)}`;
  return null;
}

export function judgeLine(f: Facts): Judged {
  const unknown = f.payments.find((p) => !p.known);
  if (unknown)
    return {
      verdict: "unknown_to_store",
      detail: `${unknown.provider} payment ${unknown.providerPaymentId ?? unknown.providerSessionId} (${unknown.paid ? describeMoney(unknown.paid) : "?"}) never reached the store`,
      fix: "ingest",
    };
  const s = sums(f);
  const registered =
    f.dataverse !== null && (f.dataverse.processed === true || f.dataverse.registrations > 0);
  if (registered && s.paidMinor === 0)
    return {
      verdict: "registered_not_paid",
      detail: "Dataverse has registrations; no payment at the provider",
      fix: null,
    };
  if (registered && s.refunded > 0 && (s.net === 0 || s.refunded > s.storeRefunded))
    return {
      verdict: "refunded_but_registered",
      detail: `${money(s.refunded, s.currency)} refunded at the provider (${money(s.storeRefunded, s.currency)} by the kit); the registrations remain`,
      fix: null,
    };
  if (s.paidMinor > 0 && s.refunded !== s.storeRefunded)
    return {
      verdict: "amount_differs",
      detail: `refunded ${money(s.refunded, s.currency)} at the provider, ${money(s.storeRefunded, s.currency)} in the store`,
      fix: null,
    };
  if (s.net > 0 && !registered) return paidNotRegistered(f, s.net, s.currency);
  const winner = s.paid.find((p) => p.providerPaymentId === f.store?.winningPaymentId) ?? s.paid[0];
  const problem = registered ? amountProblem(f, winner?.paid ?? null) : null;
  if (problem) return { verdict: "amount_differs", detail: problem, fix: null };
  return { verdict: "settled", detail: settledDetail(s, registered), fix: null };
}

function paidNotRegistered(f: Facts, net: number, currency: string): Judged {
  const base = `${money(net, currency)} kept at the provider, no registration in Dataverse`;
  const state = f.store?.state;
  if (state && FINALIZE_AGAIN.has(state) && f.now < f.store!.deadlineAt)
    return { verdict: "paid_not_registered", detail: `${base}; finalize still in time`, fix: "finalize" };
  if (state === "refund_pending")
    return { verdict: "paid_not_registered", detail: `${base}; the kit's refund is under way`, fix: null };
  return { verdict: "paid_not_registered", detail: `${base}; store says ${state ?? "nothing"}`, fix: null };
}

function settledDetail(s: ReturnType<typeof sums>, registered: boolean): string {
  if (s.paidMinor === 0) return "no payment, no registration";
  const kept = money(s.net, s.currency);
  return registered
    ? `${kept} kept${s.refunded > 0 ? `, ${money(s.refunded, s.currency)} refunded` : ""}; registered`
    : `${money(s.refunded, s.currency)} refunded in full; not registered`;
}
