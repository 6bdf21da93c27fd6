// `npm run reconcile -- --fix`: replays what is safe and leaves the rest to a person. Safe means
// through the kit's normal paths, which decide again from the provider's and Dataverse's word:
// a payment the store never heard of is stored like a webhook (the worker re-reads it and wins,
// refunds or leaves it), and a purchase paid but not registered while its deadline still runs gets
// its finalize job again. Nothing here moves money or a purchase itself.

import type { Clock } from "../clock";
import { finalizeJob } from "../lifecycle/jobs";
import { planEvents } from "../lifecycle/plan-event";
import type { PaymentEvent } from "../providers/types";
import type { PaymentStore } from "../store/types";
import type { ReconcileLine } from "./three-way";

export interface FixResult {
  purchaseId: string;
  action: "ingested" | "finalize_queued" | "needs_a_person";
  detail: string;
}

function listedEvent(line: ReconcileLine, now: number): PaymentEvent | null {
  const p = line.payments.find((v) => !v.known);
  if (!p || !p.paid) return null;
  return {
    provider: p.provider,
    dedupeKey: `reconcile:${p.providerSessionId ?? p.providerPaymentId}`,
    type: "reconcile.listed_payment",
    signal: "paid",
    purchaseId: line.purchaseId,
    providerPaymentId: p.providerPaymentId,
    providerSessionId: p.providerSessionId,
    amount: p.paid,
    live: false,
    occurredAt: new Date(now),
  };
}

export async function fixLines(
  deps: { store: PaymentStore; clock: Clock },
  lines: ReconcileLine[],
): Promise<FixResult[]> {
  const results: FixResult[] = [];
  for (const line of lines) {
    if (line.verdict === "settled") continue;
    const now = deps.clock.now();
    const event = line.fix === "ingest" ? listedEvent(line, now) : null;
    if (event) {
      await deps.store.recordWebhook(planEvents([event], now), now);
      results.push({
        purchaseId: line.purchaseId,
        action: "ingested",
        detail: "stored for the worker to decide",
      });
    } else if (line.fix === "finalize") {
      await deps.store.enqueueJob(finalizeJob(line.purchaseId, now), now);
      results.push({ purchaseId: line.purchaseId, action: "finalize_queued", detail: "finalize runs again" });
    } else {
      results.push({ purchaseId: line.purchaseId, action: "needs_a_person", detail: line.detail });
    }
  }
  return results;
}
