// Whom the provider sends its receipt to (SEND_PROVIDER_RECEIPTS, on by default): the purchasing
// contact's e-mail as Dataverse has it, else the first attendee's from the purchase details. A read
// that fails costs the receipt, never the checkout. The address is personal data: it goes to the
// provider and nowhere else (no log line, no store column).

import type { EndpointDeps } from "../deps";
import type { PurchaseRecord } from "../store/types";

const CONTACT_READ_BUDGET_MS = 5_000;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;

function usable(email: string | null | undefined): string | null {
  const text = email?.trim() ?? "";
  return text.length <= 254 && EMAIL.test(text) ? text : null;
}

export async function receiptEmailFor(
  deps: EndpointDeps,
  purchase: Pick<PurchaseRecord, "purchaseId" | "userId">,
  firstAttendeeEmail: string | null,
): Promise<string | null> {
  if (purchase.userId !== "" && deps.dataverse.readContactEmail) {
    try {
      const contact = usable(
        await deps.dataverse.readContactEmail(purchase.userId, {
          deadline: deps.clock.now() + CONTACT_READ_BUDGET_MS,
        }),
      );
      if (contact) return contact;
    } catch (error) {
      deps.logger.log(
        "warn",
        "purchasing contact's e-mail unreadable; the receipt goes to the first attendee, if any",
        {
          purchaseId: purchase.purchaseId,
          error,
        },
      );
    }
  }
  return usable(firstAttendeeEmail);
}
