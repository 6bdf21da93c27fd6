// The lines the provider's hosted page shows: one per pass, with how many attendees take it and its
// unit price, so the attendee sees what they pay for. The total stays Dataverse's: lines are only
// sent when the passes' prices add up to it exactly; a discount, a rounding difference or a price
// missing from the details keeps the one line with the whole amount (docs/gateway-page.md).
import type { CheckoutLine } from "../providers/types";
import type { AttendeeSummary } from "../store/types";

const MAX_NAME = 200;

/** One line per pass and unit price, in the attendees' order; null when they do not make the total. */
export function orderLines(purchase: {
  eventName: string | null;
  readableEventId: string;
  attendees: readonly AttendeeSummary[];
  expectedMinor: number;
}): CheckoutLine[] | null {
  const { attendees } = purchase;
  if (attendees.length === 0) return null;
  const lines = new Map<string, CheckoutLine>();
  for (const a of attendees) {
    if (!a.passName || a.amountMinor === null || !Number.isSafeInteger(a.amountMinor) || a.amountMinor <= 0)
      return null;
    const key = JSON.stringify([a.passName, a.amountMinor]);
    const line = lines.get(key);
    if (line) line.quantity += 1;
    else {
      const event = purchase.eventName ?? purchase.readableEventId;
      const name = `${event}: ${a.passName}`.slice(0, MAX_NAME);
      lines.set(key, { name, quantity: 1, unitMinor: a.amountMinor });
    }
  }
  const all = [...lines.values()];
  const sum = all.reduce((total, l) => total + l.quantity * l.unitMinor, 0);
  return sum === purchase.expectedMinor ? all : null;
}
