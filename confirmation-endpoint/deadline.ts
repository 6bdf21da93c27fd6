// Deadline arithmetic for one purchase (spec §0): every time is derived from t0 and the mode's
// window, so an RTM purchase (window from the provider record) and an outbound one (50 min) share
// the same code.

import type { DeadlinePolicy, EventMode } from "./config";

const MINUTE = 60_000;

export interface PurchaseTimes {
  t0: number;
  /** After it Dataverse creates nothing. */
  deadlineAt: number;
  /** The worker stops finalizing and refunds from here. */
  guardAt: number;
  /** The last moment a payment may start; open checkouts are closed then. */
  closeAt: number;
}

export function windowMinutesFor(mode: EventMode, policy: DeadlinePolicy): number {
  if (mode === "rtm") {
    if (policy.rtmTimeoutMinutes === null) {
      throw new Error(
        "RTM purchase without RTM_PAYMENT_TIMEOUT_MINUTES; set it to the provider record's payment timeout.",
      );
    }
    return policy.rtmTimeoutMinutes;
  }
  return policy.outboundWindowMinutes;
}

export function computePurchaseTimes(t0: number, mode: EventMode, policy: DeadlinePolicy): PurchaseTimes {
  const deadlineAt = t0 + windowMinutesFor(mode, policy) * MINUTE;
  const guardAt = deadlineAt - policy.marginMinutes * MINUTE;
  const closeAt = guardAt - policy.finalizeBudgetMinutes * MINUTE;
  return { t0, deadlineAt, guardAt, closeAt };
}

/** Whether a new checkout still leaves the shopper the minimum time to pay. */
export function canStartPayment(times: PurchaseTimes, now: number, policy: DeadlinePolicy): boolean {
  return times.closeAt - now >= policy.minPayWindowMinutes * MINUTE;
}
