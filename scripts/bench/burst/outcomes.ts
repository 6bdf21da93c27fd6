// Where the truth of a run is read: the endpoint's store (purchase states, the tightest deadline
// slack), the Dataverse stand-in (purchases processed, registrations, finalize calls) and the Stripe
// stand-in (refunds). Nothing here trusts the endpoint's word that a purchase is finalized.

import Database from "better-sqlite3";
import type { BurstWorld } from "./stand-ins";

const SETTLED = new Set(["finalized", "refund_pending", "refunded", "expired", "failed"]);

export interface StoreView {
  states: Record<string, number>;
  settled: number;
  /** Smallest deadline_at − updated_at over finalized purchases (clock ms); null when none. */
  minSlackMs: number | null;
  refundRows: number;
  deadLetters: number;
}

export function readStore(storePath: string): StoreView {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const states: Record<string, number> = {};
    let settled = 0;
    for (const row of db.prepare("SELECT state, count(*) AS n FROM purchase GROUP BY state").all() as Array<{
      state: string;
      n: number;
    }>) {
      states[row.state] = row.n;
      if (SETTLED.has(row.state)) settled += row.n;
    }
    const slack = db
      .prepare("SELECT min(deadline_at - updated_at) AS s FROM purchase WHERE state = 'finalized'")
      .get() as { s: number | null };
    const refunds = db.prepare("SELECT count(*) AS n FROM refund").get() as { n: number };
    const letters = db.prepare("SELECT count(*) AS n FROM dead_letter").get() as { n: number };
    return { states, settled, minSlackMs: slack.s, refundRows: refunds.n, deadLetters: letters.n };
  } finally {
    db.close();
  }
}

/** Polls the store until `count` purchases are settled or `timeoutMs` (real) has passed. */
export async function waitForSettled(
  storePath: string,
  count: number,
  timeoutMs: number,
  onProgress?: (view: StoreView) => void,
): Promise<StoreView> {
  const until = Date.now() + timeoutMs;
  let lastReport = 0;
  for (;;) {
    const view = readStore(storePath);
    if (onProgress && Date.now() - lastReport > 5000) {
      lastReport = Date.now();
      onProgress(view);
    }
    if (view.settled >= count || Date.now() > until) return view;
    await new Promise((r) => setTimeout(r, 200));
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
export function countRefunds(world: BurstWorld, purchaseIds: readonly string[]): number {
  const ids = new Set(purchaseIds);
  const intents = new Map(
    world.provider.state.paymentIntents(100_000).map((pi) => [pi.id, pi.metadata.purchaseId ?? ""]),
  );
  return world.provider.state
    .refunds(100_000)
    .filter((r) => ids.has(intents.get(String(r.payment_intent)) ?? "")).length;
}
