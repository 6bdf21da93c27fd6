// The payment job's path for a paid payment whose purchase the store does not know. Dataverse is
// asked first (lifecycle/decide-unknown-payment.ts): settled there → recorded, nothing refunded;
// ours and still payable → the purchase is taken into the store (as a checkout would have) and the
// usual decision follows; ours and unknown to Dataverse → refunded; anything else → a person.

import { snapshotPurchase } from "../checkout/start-checkout";
import { decideUnknownPayment } from "../lifecycle/decide-unknown-payment";
import { closeCheckoutJob, guardJob } from "../lifecycle/jobs";
import type { PaymentFacts } from "../lifecycle/decide-payment";
import type { EventMode } from "../config";
import type { PurchaseRow } from "../dataverse/types";
import type { PurchaseRecord } from "../store/types";
import type { StepContext } from "./context";

export type Recovery =
  | { kind: "settled" | "held"; detail: string }
  | { kind: "decide"; facts: PaymentFacts }
  | { kind: "retry"; error: unknown };

const DATAVERSE_BUDGET_MS = 15_000;

export async function recoverUnknownPurchase(ctx: StepContext, facts: PaymentFacts): Promise<Recovery> {
  const { state } = facts;
  const ours = ctx.adoption !== undefined && state.deploymentId === ctx.adoption.deploymentId;
  let row: PurchaseRow | null = null;
  if (state.purchaseId) {
    try {
      row = await ctx.dataverse.readPurchase(state.purchaseId, {
        deadline: ctx.clock.now() + DATAVERSE_BUDGET_MS,
      });
    } catch (error) {
      return { kind: "retry", error };
    }
  }
  const verdict = decideUnknownPayment({ row, taggedOurs: ours });
  if (verdict === "settled") return { kind: "settled", detail: "Dynamics records the purchase as paid" };
  if (verdict === "hold") {
    return {
      kind: "held",
      detail: `payment ${state.providerPaymentId ?? "?"} names purchase ${state.purchaseId ?? "none"}, unknown here, and carries no deployment id: not refunded; find the deployment that took it`,
    };
  }
  if (verdict === "refund" || !state.purchaseId) return { kind: "decide", facts };
  const adopted = await adopt(ctx, facts, state.purchaseId);
  return adopted ? { kind: "decide", facts: adopted } : { kind: "decide", facts };
}

/** Take the purchase in as a checkout would have; null when Dataverse refuses it (too late, wrong event …). */
async function adopt(
  ctx: StepContext,
  facts: PaymentFacts,
  purchaseId: string,
): Promise<PaymentFacts | null> {
  const adoption = ctx.adoption!;
  const now = ctx.clock.now();
  const mode: EventMode = facts.state.mode === "rtm" ? "rtm" : "outbound";
  let snapshot;
  try {
    snapshot = await snapshotPurchase(
      { ...ctx, deadlinePolicy: adoption.deadlinePolicy },
      {
        purchaseId,
        readableEventId: null,
        claimedUserId: null,
        locale: null,
        returnUrl: `${adoption.returnOrigin}/`,
        mode,
      },
      now,
    );
  } catch (error) {
    ctx.logger.log("warn", "payment for an unknown purchase could not be adopted", { purchaseId, error });
    return null;
  }
  const { purchase, checkout } = await ctx.store.beginCheckout({
    purchase: { ...snapshot, returnOrigin: adoption.returnOrigin, confirmationPath: null },
    provider: facts.provider,
    now,
    idempotencyKeyFor: (attempt) => `adopted:${purchaseId}:${attempt}`,
    jobs: [closeCheckoutJob(purchaseId, snapshot.closeAt), guardJob(purchaseId, snapshot.guardAt)],
  });
  if (facts.sessionId) {
    await ctx.store.recordCheckoutSession({
      purchaseId,
      attempt: checkout.attempt,
      providerSessionId: facts.sessionId,
      redirectUrl: "",
      expiresAt: snapshot.closeAt,
    });
  }
  ctx.logger.log("info", "payment for a purchase unknown here adopted from Dataverse", { purchaseId });
  return {
    ...facts,
    purchase: purchase as PurchaseRecord,
    checkouts: await ctx.store.listCheckouts(purchaseId),
  };
}
