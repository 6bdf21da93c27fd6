// Whether a payment timeout leaves the shopper time to pay once the guard's margin and the finalize
// budget are set aside (spec: timeout > margin + budget + minimum time to pay). Checked at start for
// the configured windows (config.ts), per purchase for the RTM payment provider record's timeout
// read from Dynamics (handle-rtm-pay.ts), and by `npm run doctor` for every provider record.

export interface PaymentMargins {
  /** DEADLINE_MARGIN_MINUTES */
  marginMinutes: number;
  /** FINALIZE_BUDGET_MINUTES */
  finalizeBudgetMinutes: number;
  /** MIN_PAY_WINDOW_MINUTES */
  minPayWindowMinutes: number;
}

/** The endpoint's defaults for the three settings. */
export const DEFAULT_MARGINS: PaymentMargins = {
  marginMinutes: 3,
  finalizeBudgetMinutes: 5,
  minPayWindowMinutes: 5,
};

/** The shortest whole-minute timeout that still leaves the minimum time to pay. */
export function shortestTimeoutMinutes(m: PaymentMargins): number {
  return m.marginMinutes + m.finalizeBudgetMinutes + m.minPayWindowMinutes + 1;
}

/**
 * Why `minutes` is too short a payment timeout, naming the numbers to change; null when it is
 * long enough. The sentence starts lower-case so callers can put the timeout's name before it.
 */
export function describeShortTimeout(minutes: number, m: PaymentMargins): string | null {
  const least = shortestTimeoutMinutes(m);
  if (minutes >= least) return null;
  return (
    `leaves no time to pay: it must exceed DEADLINE_MARGIN_MINUTES (${m.marginMinutes}) + ` +
    `FINALIZE_BUDGET_MINUTES (${m.finalizeBudgetMinutes}) + MIN_PAY_WINDOW_MINUTES (${m.minPayWindowMinutes}); ` +
    `raise it to at least ${least} minutes, or lower one of those three settings`
  );
}
