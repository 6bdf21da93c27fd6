// Every way a purchase can change state, as one table. The worker, the checkout step and the
// refund path all move a purchase through `movePurchase`, which refuses any change the table does
// not list, so "what can move a purchase to refunded?" is answered by reading TRANSITIONS (the
// same table is printed in docs/architecture.md and checked row by row in the tests).

import { KitError } from "../../common/kit-error";
import { PURCHASE_STATUSES } from "../contract/v1";
import type { PurchasePatch, PurchaseRecord, PurchaseStatus } from "../store/types";

/** What happened, in the lifecycle's words (a verified provider fact or a job's outcome). */
export type Trigger =
  /** The provider confirmed a payment that matches the purchase, in time: it wins the purchase. */
  | "payment_won"
  /** A payment reported earlier is not (or no longer) paid at the provider: the purchase is open again. */
  | "payment_not_confirmed"
  /** A payment for the wrong amount or currency: the purchase is closed for a person to look at. */
  | "amount_mismatch"
  /** A payment arrived after the guard (or after the purchase closed): it wins only to be refunded. */
  | "late_payment"
  /** The worker is about to send the finalize call. */
  | "finalize_started"
  /** Dataverse created the registrations (answer or probe). */
  | "finalized"
  /** Dataverse refused to finalize: the winning payment is refunded. */
  | "finalize_rejected"
  /** The guard passed before finalize succeeded: the winning payment is refunded. */
  | "deadline_reached"
  /** The guard passed with nothing paid. */
  | "checkout_expired"
  /** The provider returned the winning payment. */
  | "refund_succeeded"
  /** The provider could not return the winning payment: a person must. */
  | "refund_failed";

export interface Transition {
  from: readonly PurchaseStatus[];
  to: PurchaseStatus;
  on: Trigger;
  /** Who applies it, for the docs. */
  by: string;
}

/** The allowed moves. A purchase enters the table as awaiting_payment when its first checkout starts. */
export const TRANSITIONS: readonly Transition[] = [
  { from: ["awaiting_payment"], to: "paid", on: "payment_won", by: "payment job" },
  { from: ["paid"], to: "awaiting_payment", on: "payment_not_confirmed", by: "payment job" },
  { from: ["awaiting_payment", "paid"], to: "failed", on: "amount_mismatch", by: "payment job" },
  {
    from: ["awaiting_payment", "paid", "expired", "failed"],
    to: "refund_pending",
    on: "late_payment",
    by: "payment job",
  },
  { from: ["paid"], to: "finalizing", on: "finalize_started", by: "finalize job" },
  { from: ["paid", "finalizing"], to: "finalized", on: "finalized", by: "finalize job" },
  { from: ["paid", "finalizing"], to: "refund_pending", on: "finalize_rejected", by: "finalize job" },
  { from: ["paid", "finalizing"], to: "refund_pending", on: "deadline_reached", by: "finalize job" },
  { from: ["awaiting_payment", "paid"], to: "expired", on: "checkout_expired", by: "guard job" },
  { from: ["refund_pending"], to: "refunded", on: "refund_succeeded", by: "refund or refund_signal job" },
  { from: ["refund_pending"], to: "failed", on: "refund_failed", by: "refund or refund_signal job" },
];

/** The states, as the v1 contract lists them (one list for the page, the routes and the table). */
export const PURCHASE_STATES: readonly PurchaseStatus[] = PURCHASE_STATUSES;

/** Final states: nothing in the table leaves them except a late payment's refund. */
export const RELEASED_STATES: ReadonlySet<PurchaseStatus> = new Set([
  "expired",
  "refund_pending",
  "refunded",
  "failed",
]);

/** A state change the table does not allow: a bug in a decision, never an attendee's doing. */
export class IllegalTransitionError extends KitError {
  override readonly name = "IllegalTransitionError";
  readonly code = "ILLEGAL_TRANSITION";

  constructor(purchaseId: string, from: PurchaseStatus, to: PurchaseStatus, on: Trigger) {
    super(`Purchase ${purchaseId} cannot move from ${from} to ${to} on ${on}.`, {
      hint: "See the lifecycle table in docs/architecture.md.",
    });
  }
}

export function findTransition(from: PurchaseStatus, to: PurchaseStatus, on: Trigger): Transition | null {
  return TRANSITIONS.find((t) => t.to === to && t.on === on && t.from.includes(from)) ?? null;
}

declare const decidedHere: unique symbol;

/**
 * A compare-and-set change of one purchase row (the store applies it only at `expectedVersion`).
 * Only movePurchase and updatePurchase make one: the brand lets the compiler refuse a state change
 * written anywhere else.
 */
export interface PurchaseChange {
  readonly purchaseId: string;
  readonly expectedVersion: number;
  readonly set: PurchasePatch;
  readonly [decidedHere]: true;
}

function change(
  purchase: Pick<PurchaseRecord, "purchaseId" | "version">,
  set: PurchasePatch,
): PurchaseChange {
  return { purchaseId: purchase.purchaseId, expectedVersion: purchase.version, set } as PurchaseChange;
}

/** Move `purchase` to `to` because of `on`, with other fields changed in the same write. */
export function movePurchase(
  purchase: Pick<PurchaseRecord, "purchaseId" | "state" | "version">,
  to: PurchaseStatus,
  on: Trigger,
  also: Omit<PurchasePatch, "state"> = {},
): PurchaseChange {
  if (!findTransition(purchase.state, to, on))
    throw new IllegalTransitionError(purchase.purchaseId, purchase.state, to, on);
  return change(purchase, { ...also, state: to });
}

/** Change fields of a purchase without moving its state (finalize bookkeeping, last error). */
export function updatePurchase(
  purchase: Pick<PurchaseRecord, "purchaseId" | "version">,
  set: Omit<PurchasePatch, "state">,
): PurchaseChange {
  return change(purchase, { ...set });
}
