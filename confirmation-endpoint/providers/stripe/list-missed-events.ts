// Events Stripe failed to deliver since a time (GET /v1/events?delivery_success=false), mapped
// like verified webhooks, oldest first, for the endpoint's missed-events pass.

import type Stripe from "stripe";
import { ProviderError } from "../errors";
import type { PaymentEvent } from "../types";
import { toProviderError } from "./error-mapping";
import type { KitOwner } from "./events";
import { mapStripeEvent, readEventEnvelope } from "./events";

async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toProviderError(error, operation);
  }
}

export async function listMissedStripeEvents(
  stripe: Stripe,
  input: { since: Date; max?: number },
  resolved: { livemode: boolean | null; owner: KitOwner },
): Promise<PaymentEvent[]> {
  const operation = "list undelivered events";
  const max = input.max ?? 1000;
  const since = Math.floor(input.since.getTime() / 1000);
  if (!Number.isSafeInteger(since) || !Number.isInteger(max) || max < 1) {
    throw new ProviderError({
      code: "INVALID_INPUT",
      message: "listMissedEvents needs a valid since date and a positive max.",
      retryable: false,
      operation,
    });
  }
  const events: PaymentEvent[] = [];
  let startingAfter: string | undefined;
  // Stripe lists newest first; pages of 100 until the list or our budget ends.
  for (;;) {
    const page = await call(operation, () =>
      stripe.events.list({
        delivery_success: false,
        created: { gte: since },
        limit: Math.min(100, max - events.length),
        ...(startingAfter ? { starting_after: startingAfter } : {}),
      }),
    );
    for (const raw of page.data) {
      const envelope = readEventEnvelope(raw);
      if (!envelope) continue;
      if (resolved.livemode !== null && envelope.livemode !== resolved.livemode) continue;
      events.push(mapStripeEvent(envelope, resolved.owner));
    }
    const last = page.data.at(-1);
    if (!page.has_more || !last || events.length >= max) break;
    startingAfter = last.id;
  }
  return events.reverse();
}
