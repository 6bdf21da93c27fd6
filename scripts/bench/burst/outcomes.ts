// Where the truth of a run is read: the endpoint's store (purchase states, the tightest deadline
// slack), the Dataverse stand-in (purchases processed, registrations, finalize calls) and the Stripe
// stand-in (refunds). Nothing here trusts the endpoint's word that a purchase is finalized.

import { openStore } from "../../../confirmation-endpoint/store/open-store";
import type { StoreConfig } from "../../../confirmation-endpoint/store/store-url";
import type { PaymentStore } from "../../../confirmation-endpoint/store/types";
import type { BurstWorld } from "./stand-ins";

const SETTLED = new Set(["finalized", "refund_pending", "refunded", "expired", "failed"]);

export interface StoreView {
  states: Partial<Record<string, number>>;
  settled: number;
  /** Smallest deadline_at − updated_at over finalized purchases (clock ms); null when none. */
  minSlackMs: number | null;
  refundRows: number;
  deadLetters: number;
}

/** The run's outcome as the store has it, either store kind (a SQLite file, or the run's PostgreSQL database). */
async function viewOf(store: PaymentStore): Promise<StoreView> {
  const summary = await store.summary();
  let settled = 0;
  for (const [state, n] of Object.entries(summary.purchasesByState)) if (SETTLED.has(state)) settled += n;
  return {
    states: summary.purchasesByState,
    settled,
    minSlackMs: summary.minFinalizedSlackMs,
    refundRows: summary.refunds,
    deadLetters: summary.deadLetters,
  };
}

/**
 * Polls the store until `count` purchases are settled or `timeoutMs` (real) has passed. One store is
 * opened for the whole wait: opening one per poll (a new PostgreSQL connection, the migration check)
 * would load the database the run is measuring.
 */
export async function waitForSettled(
  config: StoreConfig,
  count: number,
  timeoutMs: number,
  onProgress?: (view: StoreView) => void,
): Promise<StoreView> {
  const until = Date.now() + timeoutMs;
  let lastReport = 0;
  const store = openStore(config);
  try {
    for (;;) {
      const view = await viewOf(store);
      if (onProgress && Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        onProgress(view);
      }
      if (view.settled >= count || Date.now() > until) return view;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await store.close();
  }
}

export interface DataverseView {
  processed: number;
  registrations: number;
  /** Purchases with more than one registration for their one attendee. */
  doubled: number;
}

export function readDataverse(world: BurstWorld, purchaseIds: readonly string[]): DataverseView {
  const view: DataverseView = { processed: 0, registrations: 0, doubled: 0 };
  for (const id of purchaseIds) {
    const p = world.dataverse.state.purchase(id);
    if (p.processed) view.processed++;
    view.registrations += p.registrationIds.length;
    if (p.registrationIds.length > 1) view.doubled++;
  }
  return view;
}

/** Refunds at the Stripe stand-in whose payment belongs to one of `purchaseIds`. */
/** The purchase of every refund the provider stand-in made (Adyen's when the world runs on it). */
export function refundedPurchaseIds(world: BurstWorld): string[] {
  if (world.adyen) {
    const { payments, modifications } = world.adyen.standIn.state;
    return modifications
      .filter((m) => m.kind === "REFUND" && m.success)
      .map((m) => payments.get(m.paymentPspReference)?.merchantReference ?? "");
  }
  const intents = new Map(
    world.provider.state.paymentIntents(100_000).map((pi) => [pi.id, pi.metadata.purchaseId ?? ""]),
  );
  return world.provider.state.refunds(100_000).map((r) => intents.get(String(r.payment_intent)) ?? "");
}

export function countRefunds(world: BurstWorld, purchaseIds: readonly string[]): number {
  const ids = new Set(purchaseIds);
  return refundedPurchaseIds(world).filter((id) => ids.has(id)).length;
}
