// An rtm_release job (real-time journeys): tell Dynamics that a purchase ended without a
// registration, so its reserved passes go back on sale (lifecycle/release.ts says when).

import { DataverseError, DeadlineExceededError } from "../dataverse/errors";
import { typedJob } from "../lifecycle/jobs";
import { RELEASED_STATES } from "../lifecycle/transitions";
import { backoffDelayMs } from "./backoff";
import type { StepContext, StepResult } from "./context";
import { describeError } from "./describe-error";

/** After Dynamics' own timeout the seats are free anyway; keep trying this long past it, then stop. */
const GIVE_UP_AFTER_DEADLINE_MS = 60 * 60_000;

export async function handleRtmReleaseJob(ctx: StepContext): Promise<StepResult> {
  const { purchaseId } = typedJob(ctx.job, "rtm_release").payload;
  const purchase = await ctx.store.getPurchase(purchaseId);
  if (!purchase || purchase.mode !== "rtm")
    return { outcome: "no_rtm_purchase", effects: { next: { kind: "done" } } };
  if (!RELEASED_STATES.has(purchase.state))
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
