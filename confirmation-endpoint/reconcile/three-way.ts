// Reconcile across three systems: for a period, every payment the providers list with this
// deployment's id, every purchase the store knows, and what Dataverse says of each. One line per
// purchase, one verdict per line. Reads only; `fix-lines.ts` replays what is safe.
//
// Providers without a listing API (Adyen, PayPal in this kit) are seen through the store: each
// payment the store holds is re-read from its provider, so a payment whose notification never came
// is invisible to them (the report says so in `sources`).

import type { Clock } from "../clock";
import type { DataverseClient } from "../dataverse";
import type { EventManagementApi } from "../dataverse/types";
import type { ProviderSet } from "../providers/registry";
import type { ListedPayment, Money } from "../providers/types";
import type { PaymentRecord, PaymentStore, PurchaseRecord, RefundRecord } from "../store/types";
import { judgeLine } from "./verdict";

export type Verdict =
  | "settled"
  | "paid_not_registered"
  | "registered_not_paid"
  | "refunded_but_registered"
  | "amount_differs"
  | "unknown_to_store";

export const VERDICT_WORDS: Record<Verdict, string> = {
  settled: "settled",
  paid_not_registered: "paid, not registered",
  registered_not_paid: "registered, not paid",
  refunded_but_registered: "refunded but registered",
  amount_differs: "amount differs",
  unknown_to_store: "unknown to the store",
};

export interface ProviderView {
  provider: string;
  providerPaymentId: string | null;
  providerSessionId: string | null;
  paid: Money | null;
  refundedMinor: number;
  /** listing: the provider's list; re-read: the store's payment read again; none: not found. */
  source: "listing" | "re-read";
  /** The store has a row for this payment. */
  known: boolean;
}

export interface DataverseView {
  paid: boolean | null;
  processed: boolean | null;
  /** Attendees of the purchase that have a registration. */
  registrations: number;
  amount: Money | null;
}

export interface ReconcileLine {
  purchaseId: string;
  verdict: Verdict;
  detail: string;
  payments: ProviderView[];
  store: {
    state: string;
    expected: Money;
    refundedMinor: number;
    deadlineAt: number;
    winningPaymentId: string | null;
    /** Every refund the store holds for the purchase: the kit's own and those a person requested. */
    refunds: Array<
      Pick<RefundRecord, "refundKey" | "amountMinor" | "state" | "reason" | "note" | "requestedBy">
    >;
  } | null;
  /** null: Dataverse has no such purchase. */
  dataverse: DataverseView | null;
  /** What --fix may do on its own; null: nothing safe, a person decides. */
  fix: "ingest" | "finalize" | null;
}

export interface ReconcileSources {
  since: string;
  /** Per configured provider: listing (its API lists payments) or store (no listing API). */
  providers: Record<string, "listing" | "store">;
}

export interface ThreeWayDeps {
  store: PaymentStore;
  providers: ProviderSet;
  dataverse: EventManagementApi;
  dataverseClient: DataverseClient;
  clock: Clock;
}

const registrationCount = async (client: DataverseClient, purchaseId: string): Promise<number> => {
  const path =
    `msevtmgt_eventpurchaseattendees?$select=_msevtmgt_eventregistrationid_value` +
    `&$filter=_msevtmgt_purchaseid_value eq ${purchaseId}`;
  const answer = await client.get<{ value?: Array<Record<string, unknown>> }>(path);
  return (answer.data?.value ?? []).filter(
    (a) => typeof a["_msevtmgt_eventregistrationid_value"] === "string",
  ).length;
};

/** A failed read fails the whole run (exit 1): a line judged without Dataverse would mislead. */
async function readDataverse(deps: ThreeWayDeps, purchaseId: string): Promise<ReconcileLine["dataverse"]> {
  const row = await deps.dataverse.readPurchase(purchaseId);
  if (!row) return null;
  const registrations = await registrationCount(deps.dataverseClient, purchaseId);
  // The price as Dataverse computes it now; a purchase the actions no longer describe has none.
  const details = await deps.dataverse.getPurchaseDetails(purchaseId).catch(() => null);
  const amount = details ? { minor: details.amountMinor, currency: details.currency } : null;
  return { paid: row.paid, processed: row.processed, registrations, amount };
}

async function reReadKnown(deps: ThreeWayDeps, payment: PaymentRecord): Promise<ProviderView | null> {
  const adapter = deps.providers.get(payment.provider);
  if (!adapter) return null;
  // Both ids: some providers re-read through the page the payment was made on (Adyen's link).
  const state = await adapter.getPayment({
    providerPaymentId: payment.providerPaymentId,
    ...(payment.providerSessionId ? { providerSessionId: payment.providerSessionId } : {}),
  });
  const paid = state.signal === "paid" || state.signal === "refunded";
  return {
    provider: payment.provider,
    providerPaymentId: payment.providerPaymentId,
    providerSessionId: payment.providerSessionId,
    paid: paid ? state.amount : null,
    // Without a listing the provider's refunded total is not read; a full refund shows as "refunded".
    refundedMinor: state.signal === "refunded" ? (state.amount?.minor ?? 0) : -1,
    source: "re-read",
    known: true,
  };
}

async function providerViews(
  deps: ThreeWayDeps,
  listed: Array<ListedPayment & { provider: string }>,
  storePayments: PaymentRecord[],
): Promise<ProviderView[]> {
  const views: ProviderView[] = [];
  for (const p of listed) {
    if (p.status !== "paid") continue;
    const known =
      p.providerPaymentId !== null && (await deps.store.getPayment(p.provider, p.providerPaymentId)) !== null;
    views.push({
      provider: p.provider,
      providerPaymentId: p.providerPaymentId,
      providerSessionId: p.providerSessionId,
      paid: p.amount,
      refundedMinor: p.refundedMinor,
      source: "listing",
      known,
    });
  }
  // What the listing did not show (no listing API, or a payment older than the period): re-read.
  const shown = new Set(views.map((v) => `${v.provider}:${v.providerPaymentId}`));
  for (const payment of storePayments) {
    if (shown.has(`${payment.provider}:${payment.providerPaymentId}`) || payment.state === "ignored")
      continue;
    const view = await reReadKnown(deps, payment);
    if (view?.paid) views.push(view);
  }
  return views;
}

async function buildLine(
  deps: ThreeWayDeps,
  purchaseId: string,
  listed: Array<ListedPayment & { provider: string }>,
): Promise<ReconcileLine> {
  const purchase: PurchaseRecord | null = await deps.store.getPurchase(purchaseId);
  const storePayments = purchase ? await deps.store.listPayments(purchaseId) : [];
  const refunds: RefundRecord[] = purchase ? await deps.store.listRefunds(purchaseId) : [];
  const payments = await providerViews(deps, listed, storePayments);
  const store = purchase
    ? {
        state: purchase.state,
        expected: { minor: purchase.expectedMinor, currency: purchase.currency },
        refundedMinor: refunds
          .filter((r) => r.state === "succeeded" || r.state === "pending")
          .reduce((s, r) => s + r.amountMinor, 0),
        deadlineAt: purchase.deadlineAt,
        winningPaymentId: purchase.winningPaymentId,
        refunds: refunds.map((r) => ({
          refundKey: r.refundKey,
          amountMinor: r.amountMinor,
          state: r.state,
          reason: r.reason,
          note: r.note,
          requestedBy: r.requestedBy,
        })),
      }
    : null;
  const dataverse = await readDataverse(deps, purchaseId);
  return {
    purchaseId,
    payments,
    store,
    dataverse,
    ...judgeLine({ payments, store, dataverse, now: deps.clock.now() }),
  };
}

/** Every line of the period, oldest purchase first, and where each provider's side came from. */
export async function reconcileThreeWay(
  deps: ThreeWayDeps,
  since: number,
): Promise<{ lines: ReconcileLine[]; sources: ReconcileSources }> {
  const sources: ReconcileSources = { since: new Date(since).toISOString(), providers: {} };
  const listed: Array<ListedPayment & { provider: string }> = [];
  for (const adapter of deps.providers.all) {
    if (!adapter.listPayments) {
      sources.providers[adapter.name] = "store";
      continue;
    }
    sources.providers[adapter.name] = "listing";
    for (const p of await adapter.listPayments({ since: new Date(since) }))
      listed.push({ ...p, provider: adapter.name });
  }
  const ids = new Set<string>();
  for (const p of [...listed].reverse()) if (p.purchaseId && p.status === "paid") ids.add(p.purchaseId);
  for (const purchase of await deps.store.listPurchasesSince(since)) ids.add(purchase.purchaseId);
  const lines: ReconcileLine[] = [];
  for (const id of ids) {
    const mine = listed.filter((p) => p.purchaseId === id);
    lines.push(await buildLine(deps, id, mine));
  }
  return { lines, sources };
}
