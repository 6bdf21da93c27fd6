// The status the shopper's page and the checkout route see. A webhook never moves a purchase (it is
// only a hint until the worker re-reads the payment), but a payment the provider reported and the
// worker has not decided yet already means "paid, being confirmed" to the person who just paid:
// derived here at read time, so nothing has to undo it when the worker decides otherwise.

import type { PaymentRecord, PurchaseRecord, PurchaseStatus } from "../store/types";

export function visibleStatus(
  purchase: Pick<PurchaseRecord, "state">,
  payments: ReadonlyArray<Pick<PaymentRecord, "state">>,
): PurchaseStatus {
  if (purchase.state === "awaiting_payment" && payments.some((p) => p.state === "reported")) return "paid";
  return purchase.state;
}
