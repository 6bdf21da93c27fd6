// What stands before every Dataverse read a stranger can cause (a checkout or an RTM payment link
// for a purchase this endpoint has not stored): a limit per client and route, a short memory of
// purchase ids Dataverse does not know, a global cap on new purchases a minute, and a share of
// the application users' request budget that these reads can never exceed, so finalizing (which
// the money depends on) always keeps the rest.

import { HttpError } from "../errors";
import { createRateLimiter } from "../http/rate-limit";
import type { RateDecision } from "../http/rate-limit";

export interface ReadGuardOptions {
  now: () => number;
  /** New purchases a minute, all clients together (NEW_PURCHASE_CHECKOUTS_PER_MINUTE). */
  newPurchasesPerMinute: number;
  /** New purchases a minute from one client on one route. */
  perClientPerMinute: number;
  /** Dataverse reads new purchases may cost per 5-minute window (a share of the users' budget). */
  readBudgetPer5Minutes: number;
  /** How long a purchase id Dataverse does not know is answered 404 without asking again. */
  missingTtlMs?: number;
}

export type GuardedRoute = "checkout" | "rtm_pay";

export interface ReadGuard {
  /** Before reading Dataverse for a purchase the store does not know; throws 404 or 429. */
  admit(input: { client: string; route: GuardedRoute; purchaseId: string; reads: number }): void;
  /** Dataverse does not know this purchase (yet): answer 404 for a while without asking. */
  rememberMissing(purchaseId: string): void;
}

function tooMany(decision: RateDecision & { ok: false }, what: string): HttpError {
  const seconds = String(decision.retryAfterSeconds);
  return new HttpError(429, "RATE_LIMITED", `${what}; try again in ${seconds} s.`, undefined, {
    "retry-after": seconds,
  });
}

export function createReadGuard(options: ReadGuardOptions): ReadGuard {
  const minute = { windowMs: 60_000, now: options.now };
  const global = createRateLimiter({ ...minute, limit: options.newPurchasesPerMinute });
  const perClient = createRateLimiter({ ...minute, limit: options.perClientPerMinute });
  const budget = createRateLimiter({
    windowMs: 5 * 60_000,
    now: options.now,
    limit: options.readBudgetPer5Minutes,
  });
  const missing = new Map<string, number>();
  const ttl = options.missingTtlMs ?? 60_000;
  return {
    admit({ client, route, purchaseId, reads }) {
      const until = missing.get(purchaseId);
      if (until !== undefined && until > options.now()) {
        throw new HttpError(
          404,
          "PURCHASE_NOT_FOUND",
          "No purchase with this id exists; start again from the event's registration page.",
        );
      }
      missing.delete(purchaseId);
      const mine = perClient.take(`${route}:${client}`);
      if (!mine.ok) throw tooMany(mine, "Too many new purchases from here");
      const all = global.take("new-purchase");
      if (!all.ok) throw tooMany(all, "Too many new checkouts right now");
      for (let i = 0; i < reads; i++) {
        const share = budget.take("reads");
        if (!share.ok) throw tooMany(share, "Dynamics is busy confirming payments");
      }
    },
    rememberMissing(purchaseId) {
      if (missing.size >= 10_000) missing.delete(missing.keys().next().value as string);
      missing.set(purchaseId, options.now() + ttl);
    },
  };
}
