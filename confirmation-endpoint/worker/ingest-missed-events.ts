// Reconciliation's first step (spec §4.6): events the provider could not deliver are fetched and
// stored through the same deduplicating transaction as a webhook, so a missed delivery is processed
// once and a delivered one is not processed twice.

import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { planEvents } from "../lifecycle/plan-event";
import type { PaymentProviderAdapter } from "../providers/types";
import type { PaymentStore } from "../store/types";

/** How far back to look: Stripe redelivers for up to 3 days in live mode. */
const LOOKBACK_MS = 3 * 24 * 60 * 60_000;

export async function ingestMissedEvents(deps: {
  provider: PaymentProviderAdapter;
  store: PaymentStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}): Promise<{ fetched: number; stored: number; duplicates: number }> {
  if (!deps.provider.listMissedEvents) return { fetched: 0, stored: 0, duplicates: 0 };
  const started = deps.clock.now();
  const events = await deps.provider.listMissedEvents({ since: new Date(started - LOOKBACK_MS) });
  const outcome =
    events.length === 0
      ? { stored: 0, duplicates: 0 }
      : await deps.store.recordWebhook(planEvents(events, deps.clock.now()), deps.clock.now());
  if (outcome.stored > 0)
    deps.metrics.increment("gateway_webhooks_total", { outcome: "ingested" }, outcome.stored);
  deps.logger.log("info", "missed events ingested", {
    provider: deps.provider.name,
    fetched: events.length,
    ...outcome,
    durationMs: deps.clock.now() - started,
  });
  return { fetched: events.length, ...outcome };
}
