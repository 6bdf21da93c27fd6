// Real-time journeys create the purchase row asynchronously after the Event API answered, so the
// browser can reach the payment route before Dataverse has the row (or its price). The route reads
// it again a few times, with growing pauses, for a short budget, then gives up and lets the shopper
// reload rather than hold the request open.

import type { Clock } from "../clock";
import type { EventManagementApi, PurchaseRow } from "../dataverse/types";

export interface WaitForPurchaseOptions {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** Total time to keep asking, in ms (default 8 s). */
  budgetMs?: number;
  /** First pause between reads, doubled after each (default 250 ms, at most 2 s). */
  firstDelayMs?: number;
}

export interface WaitForPurchaseResult {
  /** The last row read: null when it never appeared. */
  row: PurchaseRow | null;
  /** True when the row and its price (amount and currency) were read. */
  ready: boolean;
  reads: number;
}

export function isPriced(
  row: PurchaseRow | null,
): row is PurchaseRow & { totalMinor: number; currency: string } {
  return row !== null && row.totalMinor !== null && row.currency !== null;
}

export async function waitForRtmPurchase(
  dataverse: Pick<EventManagementApi, "readPurchase">,
  purchaseId: string,
  options: WaitForPurchaseOptions,
): Promise<WaitForPurchaseResult> {
  const budgetMs = options.budgetMs ?? 8_000;
  const started = options.clock.now();
  let delay = options.firstDelayMs ?? 250;
  let reads = 0;
  for (;;) {
    reads += 1;
    // Each read may itself retry (GETs back off on 5xx), but never beyond the route's budget.
    const row = await dataverse.readPurchase(purchaseId, { deadline: started + budgetMs + 5_000 });
    if (isPriced(row)) return { row, ready: true, reads };
    const elapsed = options.clock.now() - started;
    if (elapsed + delay > budgetMs) return { row, ready: false, reads };
    await options.sleep(delay);
    delay = Math.min(delay * 2, 2_000);
  }
}
