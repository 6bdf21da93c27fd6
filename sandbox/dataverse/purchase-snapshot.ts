// One purchase as the sandbox's state view and status page show it: its lifecycle and the
// registrations it became.
import type { StandInContext } from "./context";
import { loadPurchase } from "./purchase-model";
import type { PurchaseSnapshot } from "./start-dataverse-stand-in";

export function snapshotPurchase(ctx: StandInContext, purchaseId: string): PurchaseSnapshot {
  const p = loadPurchase(ctx, purchaseId, "purchaseId");
  return {
    purchaseId: p.id,
    readableEventId: String(p.event.msevtmgt_readableeventid ?? ""),
    mode: p.mode,
    state: p.state,
    paid: p.record.msevtmgt_paid === true,
    processed: p.record.msevtmgt_processed === true,
    createdOn: String(p.record.createdon),
    expiresAt: new Date(p.expiresAt).toISOString(),
    totalPrice: Number(p.record.msevtmgt_totalprice ?? 0),
    registrationIds: p.attendees
      .map(
        (a) =>
          ctx.store.get("msevtmgt_eventpurchaseattendees", a.attendeeId)?._msevtmgt_eventregistrationid_value,
      )
      .filter((v): v is string => typeof v === "string"),
  };
}
