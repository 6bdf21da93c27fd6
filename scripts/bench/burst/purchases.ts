// The workload: purchases registered in the Dataverse stand-in as the event site would, a checkout
// opened for each through the endpoint's own route, each paid on the Stripe stand-in, and the
// resulting checkout.session.completed events ready to be signed and fired.

import { KitError } from "../../../common/kit-error";
import type { EventObject } from "../../../sandbox/provider/objects";
import { signWebhookPayload } from "../../../sandbox/provider/sign-webhook";
import type { BurstWorld } from "./stand-ins";
import { PORTAL_ORIGIN } from "./stand-ins";

export interface PaidPurchase {
  purchaseId: string;
  sessionId: string;
}

export class WorkloadError extends KitError {
  readonly code = "BURST_WORKLOAD_FAILED";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WorkloadError";
  }
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function registerPurchases(world: BurstWorld, count: number): string[] {
  const pass = world.seed.paidEvent.passes[0];
  if (!pass) throw new WorkloadError("the seeded paid event has no pass");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = world.dataverse.register({
      readableEventId: world.seed.paidEvent.readableEventId,
      attendees: [
        { firstName: "Burst", lastName: `Attendee ${i}`, email: `burst${i}@example.com`, passId: pass.id },
      ],
    });
    if (!result.purchaseId)
      throw new WorkloadError(`registering purchase ${i} gave no purchase id (status ${result.status})`);
    ids.push(result.purchaseId);
  }
  return ids;
}

/** Opens a checkout for each purchase through POST /v1/checkout, then (unless `pay: false`) pays each session. */
export async function checkoutAndPay(
  world: BurstWorld,
  endpointUrl: string,
  purchaseIds: readonly string[],
  options: { pay?: boolean } = {},
): Promise<PaidPurchase[]> {
  const readableEventId = world.seed.paidEvent.readableEventId;
  const sessionOf = new Map<string, string>();
  await forEachLimited(purchaseIds, 16, async (purchaseId) => {
    const res = await fetch(`${endpointUrl}/v1/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: PORTAL_ORIGIN },
      body: JSON.stringify({
        purchaseId,
        readableEventId,
        returnUrl: `${PORTAL_ORIGIN}/payment-gateway/?purchaseId=${purchaseId}`,
      }),
    });
    const body = (await res.json()) as { payment?: { redirectUrl?: string } };
    const sessionId = /\/(?:c\/)?pay\/([^/?#]+)/.exec(body.payment?.redirectUrl ?? "")?.[1];
    if (res.status !== 200 || !sessionId)
      throw new WorkloadError(
        `checkout of ${purchaseId} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`,
      );
    sessionOf.set(purchaseId, sessionId);
  });
  const sessions = purchaseIds.map((purchaseId) => ({ purchaseId, sessionId: sessionOf.get(purchaseId)! }));
  if (options.pay !== false) payAll(world, sessions);
  return sessions;
}

/** Pays each session on the Stripe stand-in, as the shopper pressing Pay. */
export function payAll(world: BurstWorld, sessions: readonly PaidPurchase[]): void {
  for (const { sessionId } of sessions) {
    if (world.adyen) {
      world.adyen.standIn.pay(sessionId);
      continue;
    }
    const outcome = world.provider.pay(sessionId);
    if (outcome.outcome !== "paid")
      throw new WorkloadError(`paying session ${sessionId} gave "${outcome.outcome}" instead of paid`);
  }
}

/** The stored checkout.session.completed event of each paid session, as JSON text to be signed. */
export function completedEvents(world: BurstWorld, paid: readonly PaidPurchase[]): string[] {
  const bySession = new Map<string, string | null>(paid.map((p) => [p.sessionId, null]));
  for (const stored of world.provider.state.events(paid.length * 8 + 100)) {
    const event: EventObject = stored.event;
    const objectId = (event.data.object as { id?: string }).id ?? "";
    if (event.type === "checkout.session.completed" && bySession.get(objectId) === null)
      bySession.set(objectId, JSON.stringify(event));
  }
  const missing = [...bySession.values()].filter((body) => body === null).length;
  if (missing > 0)
    throw new WorkloadError(
      `${missing} paid sessions have no checkout.session.completed event at the stand-in`,
    );
  return paid.map((p) => bySession.get(p.sessionId)!);
}

export function signedHeaders(world: BurstWorld, body: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "stripe-signature": signWebhookPayload(body, world.webhookSecret, Math.floor(world.clock.now() / 1000)),
  };
}
