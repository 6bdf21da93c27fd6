// Refunds a person asks for (`npm run refund`): full or partial, of a finalized purchase's winning
// payment, through the provider that took it. Two steps so the command can show the plan and ask
// first: `planRequestedRefund` reads and checks (nothing written), `executeRequestedRefund` records
// the request in the store (the only place the "never more than paid minus refunded" check is
// final) and asks the provider with the refund's own key. The registration is never touched.

import { createHash } from "node:crypto";
import { KitError } from "../../common/kit-error";
import type { Clock } from "../clock";
import type { EventManagementApi } from "../dataverse/types";
import { ProviderError } from "../providers/errors";
import { describeMoney } from "../providers/money";
import { adapterFor, type ProviderSet } from "../providers/registry";
import type { Money } from "../providers/types";
import type { NewJob, PaymentStore, PurchaseRecord, RefundRecord } from "../store/types";

export class RefundRequestError extends KitError {
  override readonly name = "RefundRequestError";
  constructor(
    readonly code: "NO_SUCH_PURCHASE" | "NOT_REFUNDABLE" | "BAD_AMOUNT" | "NO_SUCH_ATTENDEE" | "EXCEEDS",
    message: string,
    hint?: string,
  ) {
    super(message, { hint });
  }
}

export interface RefundRequest {
  purchaseId: string;
  /** Minor units; absent with no attendee: everything still refundable. */
  amountMinor?: number;
  /** Refund that attendee's passes (their amounts in the purchase, read from Dataverse). */
  attendeeEmail?: string;
  note: string;
  requestedBy: string;
}

export interface RefundPlan {
  purchase: PurchaseRecord;
  provider: string;
  providerPaymentId: string;
  paid: Money;
  /** Refunds on that payment not failed (the kit's own and requested ones). */
  refundedMinor: number;
  amount: Money;
  refundKey: string;
  note: string;
  requestedBy: string;
  /** For --attendee: whose passes the amount is. */
  attendee: { email: string; passes: number } | null;
}

export interface RefundOutcome {
  /** done: the provider answered now; repeated: the same request was already made (nothing sent again). */
  kind: "done" | "repeated";
  refund: RefundRecord;
}

/**
 * The refund's key, also the provider's idempotency key: the same purchase, amount and reason give
 * the same key. Short enough (under 64 characters) that Adyen keeps it as it is.
 */
export function requestedRefundKey(purchaseId: string, amountMinor: number, note: string): string {
  const digest = createHash("sha256").update(note.trim()).digest("hex").slice(0, 12);
  return `rq:${purchaseId}:${amountMinor}:${digest}`;
}

const REFUNDABLE = new Set(["finalized"]);

async function attendeeAmount(
  dataverse: EventManagementApi,
  purchaseId: string,
  email: string,
): Promise<{ minor: number; passes: number }> {
  const details = await dataverse.getPurchaseDetails(purchaseId);
  const wanted = email.trim().toLowerCase();
  const theirs = details.attendees.filter((a) => a.email?.trim().toLowerCase() === wanted);
  if (theirs.length === 0) {
    const known = details.attendees.map((a) => a.email).filter((e): e is string => !!e);
    throw new RefundRequestError(
      "NO_SUCH_ATTENDEE",
      `Purchase ${purchaseId} has no attendee with the e-mail ${email} in Dataverse.`,
      known.length > 0 ? `Its attendees: ${known.join(", ")}.` : "Pass --amount instead.",
    );
  }
  if (theirs.some((a) => a.amountMinor === null))
    throw new RefundRequestError(
      "BAD_AMOUNT",
      `Dataverse does not say what ${email}'s passes cost in purchase ${purchaseId}.`,
      "Pass --amount with the amount to refund.",
    );
  return { minor: theirs.reduce((sum, a) => sum + (a.amountMinor ?? 0), 0), passes: theirs.length };
}

/** Reads the purchase, its payment and what is refunded, and checks the request; writes nothing. */
export async function planRequestedRefund(
  deps: { store: PaymentStore; dataverse?: EventManagementApi },
  request: RefundRequest,
): Promise<RefundPlan> {
  const purchase = await deps.store.getPurchase(request.purchaseId);
  if (!purchase)
    throw new RefundRequestError(
      "NO_SUCH_PURCHASE",
      `This store has no purchase ${request.purchaseId}.`,
      "Check the id (the msevtmgt_eventpurchase id) and that STORE_URL is the endpoint's store.",
    );
  const paymentId = purchase.winningPaymentId;
  if (!REFUNDABLE.has(purchase.state) || paymentId === null)
    throw new RefundRequestError(
      "NOT_REFUNDABLE",
      `Purchase ${purchase.purchaseId} is ${purchase.state}, not finalized: only a finalized purchase's payment is refunded on request.`,
      purchase.state === "refund_pending" || purchase.state === "refunded"
        ? "The kit is already returning (or has returned) the whole payment."
        : "Wait for the endpoint to settle it, or see `npm run reconcile`.",
    );
  const provider =
    purchase.winningProvider ?? (await deps.store.listPayments(purchase.purchaseId))[0]?.provider;
  const payment = provider ? await deps.store.getPayment(provider, paymentId) : null;
  if (!provider || !payment)
    throw new RefundRequestError("NOT_REFUNDABLE", `The store has no record of payment ${paymentId}.`);
  const paid: Money = {
    minor: payment.amountMinor ?? purchase.expectedMinor,
    currency: payment.currency ?? purchase.currency,
  };
  const refundedMinor = (await deps.store.listRefunds(purchase.purchaseId))
    .filter((r) => r.providerPaymentId === paymentId && r.state !== "failed")
    .reduce((sum, r) => sum + r.amountMinor, 0);
  const attendee = request.attendeeEmail
    ? await attendeeOf(deps.dataverse, purchase.purchaseId, request.attendeeEmail)
    : null;
  const minor = attendee?.minor ?? request.amountMinor ?? paid.minor - refundedMinor;
  checkAmount(minor, paid, refundedMinor, request.purchaseId);
  return {
    purchase,
    provider,
    providerPaymentId: paymentId,
    paid,
    refundedMinor,
    amount: { minor, currency: paid.currency },
    refundKey: requestedRefundKey(purchase.purchaseId, minor, request.note),
    note: request.note.trim(),
    requestedBy: request.requestedBy,
    attendee: attendee ? { email: request.attendeeEmail!, passes: attendee.passes } : null,
  };
}

async function attendeeOf(dataverse: EventManagementApi | undefined, purchaseId: string, email: string) {
  if (!dataverse)
    throw new RefundRequestError(
      "BAD_AMOUNT",
      "--attendee needs the Dataverse connection to read the passes.",
    );
  return attendeeAmount(dataverse, purchaseId, email);
}

function checkAmount(minor: number, paid: Money, refundedMinor: number, purchaseId: string): void {
  if (!Number.isSafeInteger(minor) || minor <= 0)
    throw new RefundRequestError(
      "BAD_AMOUNT",
      refundedMinor >= paid.minor
        ? `Purchase ${purchaseId}'s payment of ${describeMoney(paid)} is already refunded in full.`
        : `A refund must be more than zero.`,
    );
  if (refundedMinor + minor > paid.minor)
    throw new RefundRequestError(
      "EXCEEDS",
      `Refunding ${describeMoney({ minor, currency: paid.currency })} would return more than was paid: ${describeMoney(paid)} paid, ${describeMoney({ minor: refundedMinor, currency: paid.currency })} already refunded.`,
      `At most ${describeMoney({ minor: paid.minor - refundedMinor, currency: paid.currency })} can still be refunded.`,
    );
}

/**
 * Records the request (or finds the same one) and asks the provider with the refund's key. A
 * request left "requested" by a crash or a transport failure is sent again with the same key, which
 * the provider answers with the refund it already made. `jobsAfter` rides along each store write
 * (e.g. the Dataverse payments row's upsert).
 */
export async function executeRequestedRefund(
  deps: {
    store: PaymentStore;
    providers: ProviderSet;
    clock: Clock;
    jobsAfter?: (purchaseId: string) => NewJob[];
  },
  plan: RefundPlan,
): Promise<RefundOutcome> {
  const { store, clock } = deps;
  const jobs = deps.jobsAfter?.(plan.purchase.purchaseId) ?? [];
  const asked = {
    refundKey: plan.refundKey,
    purchaseId: plan.purchase.purchaseId,
    provider: plan.provider,
    providerPaymentId: plan.providerPaymentId,
    amountMinor: plan.amount.minor,
    currency: plan.amount.currency,
    note: plan.note,
    requestedBy: plan.requestedBy,
  };
  const recorded = await store.requestRefund({ refund: asked, paidMinor: plan.paid.minor, now: clock.now() });
  if (recorded.kind === "exceeds") {
    // Another refund landed between the plan and now: the same check, with the store's final sum.
    checkAmount(plan.amount.minor, plan.paid, recorded.refundedMinor, plan.purchase.purchaseId);
    throw new RefundRequestError("EXCEEDS", "The store refused the refund: it exceeds what is left.");
  }
  if (recorded.kind === "existing" && recorded.refund.state !== "requested")
    return { kind: "repeated", refund: recorded.refund };
  const adapter = adapterFor(deps.providers, plan.provider);
  try {
    const answer = await adapter.refund(
      {
        providerPaymentId: plan.providerPaymentId,
        amount: plan.amount,
        reason: "requested",
        purchaseId: plan.purchase.purchaseId,
      },
      { idempotencyKey: plan.refundKey },
    );
    const settled = await settle(store, clock, plan.refundKey, answer.status, answer.refundId, null, jobs);
    return { kind: recorded.kind === "existing" ? "repeated" : "done", refund: settled };
  } catch (error) {
    // A refusal is final for this key; a transport failure leaves the row "requested" for a rerun.
    if (error instanceof ProviderError && !error.retryable)
      await settle(store, clock, plan.refundKey, "failed", null, error.message, jobs);
    throw error;
  }
}

async function settle(
  store: PaymentStore,
  clock: Clock,
  refundKey: string,
  state: "pending" | "succeeded" | "failed",
  providerRefundId: string | null,
  lastError: string | null,
  jobs: NewJob[],
): Promise<RefundRecord> {
  const now = clock.now();
  const settled = await store.settleRefund({ refundKey, state, providerRefundId, lastError, now, jobs });
  if (!settled) throw new Error(`refund ${refundKey} vanished from the store`);
  return settled;
}
