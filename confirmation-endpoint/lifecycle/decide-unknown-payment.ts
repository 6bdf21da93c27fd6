// A paid payment that names a purchase this endpoint's store does not know: another deployment's
// event that carries no deployment id, a store that was lost or restored from an old backup, or a
// purchase paid before this endpoint saw its checkout. Dataverse is asked before any money moves,
// and only what is provably nobody's registration is refunded.

import type { PurchaseRow } from "../dataverse/types";

export type UnknownPaymentVerdict =
  /** Dataverse has it paid or processed: the registration exists; record it, refund nothing. */
  | "settled"
  /** Ours (our deployment id), in Dataverse, unpaid: take the purchase into the store and decide as usual. */
  | "adopt"
  /** Ours, and no such purchase in our Dataverse: nobody's registration, refunded. */
  | "refund"
  /** Carries no deployment id: it may be another deployment's customer; a person decides. */
  | "hold";

export function decideUnknownPayment(facts: {
  row: PurchaseRow | null;
  /** The payment carries this deployment's id (not merely no other one). */
  taggedOurs: boolean;
}): UnknownPaymentVerdict {
  const { row, taggedOurs } = facts;
  if (row && (row.processed === true || row.paid === true)) return "settled";
  if (!taggedOurs) return "hold";
  return row ? "adopt" : "refund";
}
