// The two timed jobs every checkout schedules. close_checkout (at close_at): expire the purchase's
// open hosted pages so no payment starts too late to finalize; a page the shopper already paid
// ("already complete") is handed to the normal payment path. A provider without an expiry call
// leaves its page to its own timeout; a payment that still arrives after the guard is refunded. guard (at guard_at): a purchase still
// unpaid is expired; a paid one has its finalize job run now, which takes the deadline path.

import { finalizeJob, paymentJob, typedJob } from "../lifecycle/jobs";
import { movePurchase } from "../lifecycle/transitions";
import { adapterFor } from "../providers/registry";
import type { JobEffects } from "../store/types";
import { backoffDelayMs } from "./backoff";
import type { StepContext, StepResult } from "./context";
import { describeError } from "./describe-error";

async function expireOpenCheckouts(
  ctx: StepContext,
  purchaseId: string,
): Promise<{ effects: Omit<JobEffects, "next">; error: string | null }> {
  const now = ctx.clock.now();
  const checkouts = await ctx.store.listCheckouts(purchaseId);
  const effects: Omit<JobEffects, "next"> = { checkouts: [], jobs: [] };
  for (const c of checkouts) {
    if (c.state !== "open" || !c.providerSessionId) continue;
    let result: "expired" | "already_complete" | "left_to_lapse";
    try {
      const adapter = adapterFor(ctx.providers, c.provider);
      result = adapter.expireCheckout
        ? await adapter.expireCheckout(c.providerSessionId, {
            idempotencyKey: `expire:${c.providerSessionId}`,
          })
        : "left_to_lapse";
    } catch (error) {
      return { effects, error: describeError(error) };
    }
    if (result === "expired") {
      effects.checkouts!.push({ purchaseId, providerSessionId: c.providerSessionId, state: "expired" });
    } else if (result === "already_complete") {
      const payload = {
        provider: c.provider,
        providerSessionId: c.providerSessionId,
        providerPaymentId: null,
        hintPurchaseId: purchaseId,
      };
      effects.jobs!.push(paymentJob(payload, now));
    }
  }
  return { effects, error: null };
}

export async function handleCloseCheckoutJob(ctx: StepContext): Promise<StepResult> {
  const { purchaseId } = typedJob(ctx.job, "close_checkout").payload;
  const purchase = await ctx.store.getPurchase(purchaseId);
  if (!purchase || purchase.state !== "awaiting_payment")
    return { outcome: "nothing_open", effects: { next: { kind: "done" } } };
  const { effects, error } = await expireOpenCheckouts(ctx, purchaseId);
  const now = ctx.clock.now();
  if (error && now < purchase.guardAt) {
    return {
      outcome: "retry",
      effects: {
        ...effects,
        next: {
          kind: "retry",
          at: Math.min(purchase.guardAt, now + backoffDelayMs(ctx.job.attempts, ctx.random)),
          error,
        },
      },
    };
  }
  return { outcome: error ? "gave_up_to_guard" : "closed", effects: { ...effects, next: { kind: "done" } } };
}

export async function handleGuardJob(ctx: StepContext): Promise<StepResult> {
  const { purchaseId } = typedJob(ctx.job, "guard").payload;
  const purchase = await ctx.store.getPurchase(purchaseId);
  if (!purchase) return { outcome: "no_purchase", effects: { next: { kind: "done" } } };
  const now = ctx.clock.now();
  const undecided = purchase.state === "paid" && !purchase.winningPaymentId;
  if ((purchase.state === "paid" || purchase.state === "finalizing") && !undecided) {
    return {
      outcome: "finalize_now",
      effects: { jobs: [finalizeJob(purchaseId, now)], next: { kind: "done" } },
    };
  }
  if (purchase.state !== "awaiting_payment" && !undecided)
    return { outcome: `nothing_to_do:${purchase.state}`, effects: { next: { kind: "done" } } };
  // Unpaid, or a payment reported but not yet confirmed by the provider: close the pages; a payment
  // confirmed later finds the purchase expired and is refunded.
  const { effects, error } = await expireOpenCheckouts(ctx, purchaseId);
  if ((effects.jobs ?? []).length > 0) {
    // A page was paid meanwhile: its payment job decides (and refunds, since the guard has passed).
    return { outcome: "paid_meanwhile", effects: { ...effects, next: { kind: "done" } } };
  }
  // Even when a page could not be closed (provider down), the purchase is expired now: a payment
  // that still arrives is past the guard and is refunded by the payment path.
  return {
    outcome: error ? "expired_page_left_open" : "expired",
    ...(error ? { fields: { error } } : {}),
    effects: {
      ...effects,
      purchase: movePurchase(purchase, "expired", "checkout_expired"),
      next: { kind: "done" },
    },
  };
}
