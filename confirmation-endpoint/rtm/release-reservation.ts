// Real-time journeys only: when a purchase ends without a registration (unpaid at its deadline,
// cancelled by the shopper, paid the wrong amount, or refunded), Dynamics is told with
// msevtmgt_finalizeregistrationpayment = 100000000 (Cancelled), so the reserved passes go back on
// sale at once instead of when the provider record's timeout runs out. The outbound flow has no
// such signal. The worker calls `addReleaseJob` on every step's effects, so the branch lives here
// once, not in each job.

import { DataverseError, DeadlineExceededError } from "../dataverse/errors";
import type { JobEffects, NewJob, PaymentStore, PurchaseStatus } from "../store/types";
import { backoffDelayMs } from "../worker/backoff";
import type { StepContext, StepResult } from "../worker/context";
import { describeError } from "../worker/describe-error";

/** Purchase states that mean: no registration will follow. */
const RELEASED: ReadonlySet<PurchaseStatus> = new Set(["expired", "refund_pending", "refunded", "failed"]);
/** After Dynamics' own timeout the seats are free anyway; keep trying this long past it, then stop. */
const GIVE_UP_AFTER_DEADLINE_MS = 60 * 60_000;

export function releaseJobFor(purchaseId: string, now: number): NewJob {
  return {
    dedupe: `rtm_release:${purchaseId}`,
    purchaseId,
    kind: "rtm_release",
    payload: { purchaseId },
    notBefore: now,
  };
}

/**
 * When `effects` move an RTM purchase into a released state for the first time, add the job that
 * reports Cancelled to Dynamics (in the same transaction as the state change).
 */
export async function addReleaseJob(
  store: Pick<PaymentStore, "getPurchase">,
  effects: JobEffects,
  now: number,
): Promise<JobEffects> {
  const change = effects.purchase;
  const next = change?.set.state;
  if (!change || next === undefined || !RELEASED.has(next)) return effects;
  const purchase = await store.getPurchase(change.purchaseId);
  if (!purchase || purchase.mode !== "rtm" || RELEASED.has(purchase.state)) return effects;
  return { ...effects, jobs: [...(effects.jobs ?? []), releaseJobFor(purchase.purchaseId, now)] };
}

export async function handleRtmReleaseJob(ctx: StepContext): Promise<StepResult> {
  const purchaseId = String(ctx.job.payload.purchaseId);
  const purchase = await ctx.store.getPurchase(purchaseId);
  if (!purchase || purchase.mode !== "rtm")
    return { outcome: "no_rtm_purchase", effects: { next: { kind: "done" } } };
  if (!RELEASED.has(purchase.state))
    return { outcome: `nothing_to_do:${purchase.state}`, effects: { next: { kind: "done" } } };
  const now = ctx.clock.now();
  try {
    await ctx.dataverse.finalizeRtmPayment(purchaseId, "cancelled", { deadline: now + 60_000 });
    return {
      outcome: "cancelled_reported",
      fields: { state: purchase.state },
      effects: { next: { kind: "done" } },
    };
  } catch (error) {
    const cause = error instanceof DeadlineExceededError ? error.cause : error;
    const retryable = !(cause instanceof DataverseError) || cause.retryable;
    const detail = describeError(error);
    if (retryable && now < purchase.deadlineAt + GIVE_UP_AFTER_DEADLINE_MS) {
      const at = now + backoffDelayMs(ctx.job.attempts, ctx.random, { capMs: 5 * 60_000 });
      return {
        outcome: "retry",
        fields: { error: detail },
        effects: { next: { kind: "retry", at, error: detail } },
      };
    }
    if (retryable) {
      // Dynamics' own timeout has released the seats by now; nothing is lost by stopping.
      return {
        outcome: "gave_up_after_timeout",
        fields: { error: detail },
        effects: { next: { kind: "done" } },
      };
    }
    // A refusal. Harmless unless Dynamics holds a confirmed registration for money the kit returned.
    const row = await ctx.dataverse.readPurchase(purchaseId).catch(() => null);
    if (row?.processed === true) {
      ctx.metrics.increment("gateway_dead_letters_total", { kind: "rtm_release" });
      return {
        outcome: "dead_lettered",
        fields: { error: detail },
        effects: {
          deadLetters: [
            {
              purchaseId,
              kind: "rtm_release",
              reason: "registered_but_not_paid",
              detail: `Dynamics confirmed the registration but the payment was returned (${purchase.state}); cancel the registration by hand. ${detail}`,
            },
          ],
          next: { kind: "done" },
        },
      };
    }
    return { outcome: "cancel_refused", fields: { error: detail }, effects: { next: { kind: "done" } } };
  }
}
