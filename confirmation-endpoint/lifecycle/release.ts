// Real-time journeys only: when a purchase ends without a registration (unpaid at its deadline,
// paid the wrong amount, or refunded), Dynamics is told (msevtmgt_finalizeregistrationpayment =
// Cancelled) so the reserved passes go back on sale at once instead of when the provider record's
// timeout runs out. The outbound flow has no such signal. The worker applies this to every step's
// effects, so the rule lives here once, not in each job.

import type { JobEffects, PurchaseRecord } from "../store/types";
import { rtmReleaseJob } from "./jobs";
import { RELEASED_STATES } from "./transitions";

/**
 * `effects` with the release job added when they move an RTM purchase (`before`, as it is stored
 * now) into a released state for the first time; the job commits with the state change.
 */
export function withReleaseJob(effects: JobEffects, before: PurchaseRecord | null, now: number): JobEffects {
  if (!before || !movesToReleased(effects)) return effects;
  if (before.mode !== "rtm" || RELEASED_STATES.has(before.state)) return effects;
  return { ...effects, jobs: [...(effects.jobs ?? []), rtmReleaseJob(before.purchaseId, now)] };
}

/** Whether `effects` move a purchase into a released state: only then is the stored purchase needed. */
export function movesToReleased(effects: JobEffects): boolean {
  const next = effects.purchase?.set.state;
  return next !== undefined && RELEASED_STATES.has(next);
}
