// The store contract: what the worker, the routes and the commands rely on from any store, as one
// suite that every backend runs (sqlite-store.test.ts; a second backend is proven by passing it).
// Times are epoch milliseconds passed in, never read from a clock.

import { describe, expect, it } from "vitest";
import { StaleLeaseError, VersionConflictError } from "../../confirmation-endpoint/errors";
import {
  guardJob,
  closeCheckoutJob,
  finalizeJob,
  refundJob,
} from "../../confirmation-endpoint/lifecycle/jobs";
import { planEvents } from "../../confirmation-endpoint/lifecycle/plan-event";
import { movePurchase } from "../../confirmation-endpoint/lifecycle/transitions";
import type { PaymentEvent } from "../../confirmation-endpoint/providers/types";
import type { PlannedEvent } from "../../confirmation-endpoint/lifecycle/plan-event";
import type { NewJob, NewPurchase, PaymentStore } from "../../confirmation-endpoint/store/types";

export const NOW = 1_800_000_000_000;
export const P = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const Q_FOR_REFUND = "3f2504e0-4f89-11d3-9a0c-0305e82c3399";

export const purchase: NewPurchase = {
  purchaseId: P,
  mode: "outbound",
  readableEventId: "E1",
  userId: "",
  eventName: "E",
  attendees: [],
  expectedMinor: 2500,
  currency: "EUR",
  t0: NOW,
  t0Source: "createdon",
  deadlineAt: NOW + 50 * 60_000,
  guardAt: NOW + 47 * 60_000,
  closeAt: NOW + 42 * 60_000,
  returnOrigin: "https://portal.test",
  confirmationPath: null,
};

export const event = (id: string, extra: Partial<PaymentEvent> = {}): PaymentEvent => ({
  provider: "stripe",
  dedupeKey: id,
  type: "checkout.session.completed",
  signal: "paid",
  purchaseId: P,
  providerPaymentId: "pi_1",
  providerSessionId: "cs_1",
  amount: { minor: 2500, currency: "EUR" },
  live: false,
  occurredAt: new Date(NOW),
  ...extra,
});

const refund = (purchaseId: string | null, paymentId: string) =>
  refundJob(
    {
      purchaseId,
      provider: "stripe",
      providerPaymentId: paymentId,
      amountMinor: 2500,
      currency: "EUR",
      reason: "deadline_passed",
      winner: false,
    },
    NOW + 1000,
  );

const begin = (store: PaymentStore, jobs = [guardJob(P, NOW), closeCheckoutJob(P, NOW)]) =>
  store.beginCheckout({ purchase, provider: "stripe", now: NOW, idempotencyKeyFor: (a) => `k${a}`, jobs });

/** Run the contract against a backend; `open` gives a fresh, empty store for each test. */
export function describeStoreContract(name: string, open: () => Promise<PaymentStore>): void {
  describe(`store contract: ${name}`, () => {
    const withStore = (fn: (store: PaymentStore) => Promise<void>) => async () => {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    };

    it(
      "stores each webhook event once (provider + event id) with its planned payment and jobs, and decides nothing",
      withStore(async (store) => {
        await begin(store, []);
        expect(await store.recordWebhook(planEvents([event("evt_1"), event("evt_1")], NOW), NOW)).toEqual({
          stored: 1,
          duplicates: 1,
        });
        const second = planEvents(
          [event("evt_2", { type: "checkout.session.async_payment_succeeded" })],
          NOW,
        );
        expect(await store.recordWebhook(second, NOW)).toEqual({ stored: 1, duplicates: 0 });
        const jobs = await store.listJobs();
        expect(jobs.map((j) => [j.kind, j.dedupe])).toEqual([["payment", "payment:stripe:cs_1:pi_1"]]);
        expect(await store.getPayment("stripe", "pi_1")).toMatchObject({
          state: "reported",
          amountMinor: 2500,
        });
        expect((await store.getPurchase(P))!.state).toBe("awaiting_payment");
        expect((await store.summary()).webhookEvents).toBe(2);
      }),
    );

    it(
      "answers each of 50 concurrent webhooks with its own outcome, duplicates in the same group included",
      withStore(async (store) => {
        const one = (n: number) => planEvents([event(`evt_${n % 40}`, { purchaseId: null })], NOW);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.recordWebhook(one(i), NOW)),
        );
        expect(outcomes.every((o) => o.stored + o.duplicates === 1)).toBe(true);
        // Concurrent calls carrying one event: exactly one stores it, whichever reaches the store
        // first (on PostgreSQL a call waiting for a new pool connection may be overtaken).
        for (let event = 0; event < 40; event++) {
          const carriers = outcomes.filter((_, i) => i % 40 === event);
          expect(carriers.filter((o) => o.stored === 1)).toHaveLength(1);
        }
        expect((await store.summary()).webhookEvents).toBe(40);
      }),
    );

    it(
      "stores a delivery whose new events share a job or a payment as storing them one after the other would",
      withStore(async (store) => {
        await begin(store, [guardJob(P, NOW)]);
        const [guard] = await store.claimJobs({ workerId: "w", limit: 1, now: NOW, leaseMs: 60_000 });
        await store.commitJob(guard!.id, "w", { next: { kind: "done" } }, NOW);
        await store.recordWebhook(planEvents([event("evt_seen", { purchaseId: null })], NOW), NOW);
        const probe = (n: number, notBefore: number): NewJob => ({
          dedupe: "probe",
          purchaseId: null,
          kind: "refund",
          payload: { n },
          notBefore,
        });
        const planned = (id: string, jobs: NewJob[], minor = 2500): PlannedEvent => ({
          ...planEvents([event(id, { amount: { minor, currency: "EUR" } })], NOW)[0]!,
          jobs,
        });
        const delivery = [
          planned("evt_a", [guardJob(P, NOW + 5000), probe(1, NOW + 5000)]),
          planned("evt_b", [guardJob(P, NOW + 1000), probe(2, NOW + 1000)], 9999),
          // Seen earlier in this delivery, and in an earlier one: neither's job is stored.
          planned("evt_a", [closeCheckoutJob(P, NOW)]),
          planned("evt_seen", [closeCheckoutJob(P, NOW)]),
        ];
        expect(await store.recordWebhook(delivery, NOW + 1)).toEqual({ stored: 2, duplicates: 2 });
        const jobs = await store.listJobs();
        expect(jobs.map((j) => [j.dedupe, j.notBefore, j.attempts, j.payload])).toEqual([
          // The finished guard starts over, due at the earlier of the two times.
          [`guard:${P}`, NOW + 1000, 0, { purchaseId: P }],
          ["payment:stripe:cs_1:pi_1", NOW, 0, expect.anything()],
          // A new job keeps the first event's payload and the earlier time.
          ["probe", NOW + 1000, 0, { n: 1 }],
        ]);
        expect(await store.getPayment("stripe", "pi_1")).toMatchObject({
          state: "reported",
          amountMinor: 2500,
        });
        expect((await store.summary()).webhookEvents).toBe(3);
      }),
    );

    it(
      "leases jobs: one per purchase in flight, an expired lease is claimed again, a stale worker cannot commit",
      withStore(async (store) => {
        await begin(store, [guardJob(P, NOW), closeCheckoutJob(P, NOW), refund(null, "pi_x")]);
        const first = await store.claimJobs({ workerId: "w1", limit: 10, now: NOW, leaseMs: 1000 });
        expect(first.map((j) => j.kind)).toEqual(["guard"]);
        expect(await store.claimJobs({ workerId: "w2", limit: 10, now: NOW + 500, leaseMs: 1000 })).toEqual(
          [],
        );
        const again = await store.claimJobs({ workerId: "w2", limit: 10, now: NOW + 1001, leaseMs: 1000 });
        expect(again.map((j) => [j.kind, j.attempts])).toEqual([
          ["guard", 2],
          ["refund", 1],
        ]);
        await expect(
          store.commitJob(first[0]!.id, "w1", { next: { kind: "done" } }, NOW + 1002),
        ).rejects.toBeInstanceOf(StaleLeaseError);
        await store.commitJob(again[0]!.id, "w2", { next: { kind: "done" } }, NOW + 1002);
        const next = await store.claimJobs({ workerId: "w2", limit: 10, now: NOW + 1003, leaseMs: 1000 });
        expect(next.map((j) => j.kind)).toEqual(["close_checkout"]);
      }),
    );

    it.each([
      ["done", { kind: "done" as const }],
      ["retry", { kind: "retry" as const, at: NOW + 5000, error: "late" }],
      ["keep", { kind: "keep" as const }],
    ])(
      "refuses a stale worker's step ending in %s whole: no purchase change, job or dead letter, and the lease error before a version conflict",
      (_, next) =>
        withStore(async (store) => {
          await begin(store, [guardJob(P, NOW)]);
          const [first] = await store.claimJobs({ workerId: "w1", limit: 1, now: NOW, leaseMs: 1000 });
          const [taken] = await store.claimJobs({ workerId: "w2", limit: 1, now: NOW + 1001, leaseMs: 1000 });
          expect(taken!.id).toBe(first!.id);
          const p = (await store.getPurchase(P))!;
          const late = {
            purchase: movePurchase(p, "expired", "checkout_expired"),
            deadLetters: [{ purchaseId: P, kind: "late", reason: "stale" }],
            jobs: [closeCheckoutJob(P, NOW)],
            next,
          };
          await expect(store.commitJob(first!.id, "w1", late, NOW + 1002)).rejects.toBeInstanceOf(
            StaleLeaseError,
          );
          const conflicting = { ...late, purchase: { ...late.purchase, expectedVersion: p.version + 7 } };
          await expect(store.commitJob(first!.id, "w1", conflicting, NOW + 1002)).rejects.toBeInstanceOf(
            StaleLeaseError,
          );
          expect(await store.getPurchase(P)).toEqual(p);
          expect(await store.listDeadLetters()).toEqual([]);
          expect((await store.listJobs()).map((j) => [j.kind, j.lockedBy])).toEqual([["guard", "w2"]]);
        })(),
    );

    it(
      "re-arms a job enqueued again under the same key instead of adding one; a finished one becomes due again",
      withStore(async (store) => {
        await begin(store, [guardJob(P, NOW)]);
        await store.enqueueJob(guardJob(P, NOW + 5), NOW);
        expect((await store.listJobs()).length).toBe(1);
        const [job] = await store.claimJobs({ workerId: "w", limit: 1, now: NOW, leaseMs: 60_000 });
        await store.commitJob(job!.id, "w", { next: { kind: "done" } }, NOW);
        expect(await store.nextDueAt()).toBeNull();
        await store.enqueueJob(guardJob(P, NOW + 10), NOW + 1);
        expect(await store.nextDueAt()).toBe(NOW + 10);
      }),
    );

    it.each([
      ["inside the lease", NOW + 1_000],
      // The enqueuer's clock is past the lease, the worker's commit (its own clock) is not: the
      // worker still finishes the job, so the new enqueue must not be lost to that finish.
      ["past the lease by the enqueuer's clock", NOW + 90_000],
    ])(
      "a job enqueued again while its worker holds it (%s) runs once more after the worker finishes it",
      (_, enqueuedAt) =>
        withStore(async (store) => {
          await begin(store, [guardJob(P, NOW)]);
          const [job] = await store.claimJobs({ workerId: "w", limit: 1, now: NOW, leaseMs: 60_000 });
          await store.enqueueJob(guardJob(P, NOW + 5), enqueuedAt);
          await store.commitJob(job!.id, "w", { next: { kind: "done" } }, NOW + 59_000);
          expect(await store.nextDueAt()).toBe(NOW);
          const again = await store.claimJobs({
            workerId: "w2",
            limit: 1,
            now: NOW + 59_001,
            leaseMs: 60_000,
          });
          expect(again.map((j) => j.id)).toEqual([job!.id]);
        })(),
    );

    it(
      "claims due finalize jobs before older jobs of other kinds, each kind oldest first, and the others when no finalize is due",
      withStore(async (store) => {
        // More older payment jobs than a claim scans, so a scan by age alone would never reach the finalize.
        const payments = Array.from({ length: 40 }, (_, i) => `pay-${String(i).padStart(2, "0")}`);
        for (const [i, id] of payments.entries()) {
          const job = { dedupe: `payment:${id}`, purchaseId: id, kind: "payment" as const, payload: {} };
          await store.enqueueJob({ ...job, notBefore: NOW + i }, NOW);
        }
        await store.enqueueJob(finalizeJob("fin-late", NOW + 100), NOW);
        await store.enqueueJob(finalizeJob("fin-early", NOW + 50), NOW);
        await store.enqueueJob(finalizeJob("fin-future", NOW + 60_000), NOW);
        const lease = { workerId: "w", leaseMs: 60_000, now: NOW + 200 };
        const first = await store.claimJobs({ ...lease, limit: 3 });
        expect(first.map((j) => j.purchaseId)).toEqual(["fin-early", "fin-late", payments[0]]);
        const rest = await store.claimJobs({ ...lease, limit: 50 });
        expect(rest.map((j) => j.purchaseId)).toEqual(payments.slice(1));
      }),
    );

    it(
      "compare-and-set on version: a stale view rolls the whole step back",
      withStore(async (store) => {
        await begin(store, [guardJob(P, NOW)]);
        const [job] = await store.claimJobs({ workerId: "w", limit: 1, now: NOW, leaseMs: 60_000 });
        const p = (await store.getPurchase(P))!;
        const stale = {
          purchase: movePurchase({ ...p, version: p.version + 1 }, "expired", "checkout_expired"),
          deadLetters: [{ purchaseId: P, kind: "x", reason: "y" }],
          next: { kind: "done" as const },
        };
        await expect(store.commitJob(job!.id, "w", stale, NOW)).rejects.toBeInstanceOf(VersionConflictError);
        expect(await store.listDeadLetters()).toEqual([]);
        expect((await store.getPurchase(P))!.state).toBe("awaiting_payment");
        const fresh = {
          purchase: movePurchase(p, "expired", "checkout_expired"),
          next: { kind: "done" as const },
        };
        await store.commitJob(job!.id, "w", fresh, NOW);
        expect((await store.getPurchase(P))!).toMatchObject({ state: "expired", version: p.version + 1 });
      }),
    );

    it(
      "keeps t0 and the deadline of the first checkout; reserves attempts in order",
      withStore(async (store) => {
        const a = await begin(store, []);
        expect(a.checkout).toMatchObject({ attempt: 1, state: "creating", idempotencyKey: "k1" });
        const b = await store.beginCheckout({
          purchase: { ...purchase, t0: NOW + 999, deadlineAt: NOW + 999 },
          provider: "stripe",
          now: NOW + 1,
          idempotencyKeyFor: (n) => `k${n}`,
          jobs: [],
        });
        expect(b.checkout.attempt).toBe(1);
        expect(b.purchase.deadlineAt).toBe(purchase.deadlineAt);
        await store.recordCheckoutSession({
          purchaseId: P,
          attempt: 1,
          providerSessionId: "cs_1",
          redirectUrl: "https://x",
          expiresAt: NOW + 10,
        });
        const c = await store.beginCheckout({
          purchase,
          provider: "stripe",
          now: NOW + 20,
          idempotencyKeyFor: (n) => `k${n}`,
          jobs: [],
        });
        expect(c.checkout).toMatchObject({ attempt: 2, idempotencyKey: "k2" });
        expect((await store.listCheckouts(P)).map((x) => x.state)).toEqual(["expired", "creating"]);
      }),
    );

    it(
      "an abandoned attempt is failed and the next checkout reserves a new attempt with a new key",
      withStore(async (store) => {
        const first = await begin(store, []);
        await store.abandonCheckoutAttempt(P, first.checkout.attempt);
        const next = await begin(store, []);
        expect(next.checkout).toMatchObject({ attempt: 2, idempotencyKey: "k2", state: "creating" });
        expect((await store.listCheckouts(P)).map((c) => c.state)).toEqual(["failed", "creating"]);
      }),
    );

    it(
      "an open attempt given up (its page closed at the provider, superseded) is expired, and the next checkout takes a new attempt",
      withStore(async (store) => {
        const first = await begin(store, []);
        await store.recordCheckoutSession({
          purchaseId: P,
          attempt: first.checkout.attempt,
          providerSessionId: "cs_1",
          redirectUrl: "https://pay.test/cs_1",
          expiresAt: NOW + 3_600_000,
        });
        expect((await begin(store, [])).checkout).toMatchObject({ attempt: 1, state: "open" });
        await store.abandonCheckoutAttempt(P, first.checkout.attempt);
        const next = await begin(store, []);
        expect(next.checkout).toMatchObject({ attempt: 2, idempotencyKey: "k2", state: "creating" });
        expect((await store.listCheckouts(P)).map((c) => c.state)).toEqual(["expired", "creating"]);
      }),
    );

    it(
      "prunes what is old and settled, never a purchase with money outstanding or a pending job",
      withStore(async (store) => {
        await begin(store, [guardJob(P, NOW)]);
        const Q = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        await store.beginCheckout({
          purchase: { ...purchase, purchaseId: Q },
          provider: "stripe",
          now: NOW,
          idempotencyKeyFor: (a) => `q${a}`,
          jobs: [guardJob(Q, NOW + 10 * 86_400_000)],
        });
        await store.recordWebhook(planEvents([event("evt_old", { purchaseId: null })], NOW), NOW);
        const [job] = await store.claimJobs({ workerId: "w", limit: 1, now: NOW, leaseMs: 60_000 });
        const p = (await store.getPurchase(P))!;
        const won = movePurchase(p, "paid", "payment_won", { winningPaymentId: "pi_1" });
        await store.commitJob(job!.id, "w", { purchase: won, next: { kind: "keep" } }, NOW);
        const done = movePurchase({ ...p, state: "paid", version: p.version + 1 }, "finalized", "finalized");
        await store.commitJob(job!.id, "w", { purchase: done, next: { kind: "done" } }, NOW);
        const q = (await store.getPurchase(Q))!;
        const [qJob] = await store.claimJobs({
          workerId: "w",
          limit: 5,
          now: NOW + 10 * 86_400_000,
          leaseMs: 60_000,
        });
        await store.commitJob(
          qJob!.id,
          "w",
          {
            purchase: movePurchase(q, "paid", "payment_won", { winningPaymentId: "pi_2" }),
            next: { kind: "done" },
          },
          NOW + 10 * 86_400_000,
        );

        const pruned = await store.prune(NOW + 30 * 86_400_000);
        expect(pruned).toMatchObject({ purchases: 1, webhookEvents: 1 });
        expect(await store.getPurchase(P)).toBeNull();
        expect((await store.getPurchase(Q))!.state).toBe("paid");
        expect((await store.summary()).webhookEvents).toBe(0);
      }),
    );

    it(
      "reads the backlog for /metrics: due jobs only, paid purchases' nearest deadline, open refunds and dead letters",
      withStore(async (store) => {
        await begin(store, [guardJob(P, NOW + 60_000), closeCheckoutJob(P, NOW)]);
        expect(await store.backlog(NOW - 1)).toEqual({
          dueJobs: 0,
          oldestDueJobAt: null,
          awaitingFinalize: 0,
          nearestDeadlineAt: null,
          refundsPending: 0,
          refundsFailed: 0,
          openDeadLetters: 0,
        });
        const [job] = await store.claimJobs({ workerId: "w", limit: 1, now: NOW, leaseMs: 60_000 });
        const p = (await store.getPurchase(P))!;
        const won = movePurchase(p, "paid", "payment_won", { winningPaymentId: "pi_1" });
        const refundRow = (key: string) => ({
          refundKey: key,
          purchaseId: P,
          provider: "stripe",
          providerPaymentId: `pi_${key}`,
          amountMinor: 2500,
          currency: "EUR",
          reason: "deadline_passed" as const,
        });
        await store.commitJob(
          job!.id,
          "w",
          {
            purchase: won,
            refunds: [refundRow("r1"), refundRow("r2")],
            refundUpdates: [{ refundKey: "r2", state: "failed", lastError: "card closed" }],
            deadLetters: [{ purchaseId: P, kind: "refund", reason: "refund_failed" }],
            next: { kind: "done" },
          },
          NOW + 5,
        );
        await store.enqueueJob(refund(P, "pi_9"), NOW + 5);
        expect(await store.backlog(NOW + 60_000)).toEqual({
          dueJobs: 2,
          oldestDueJobAt: NOW + 1000,
          awaitingFinalize: 1,
          nearestDeadlineAt: purchase.deadlineAt,
          refundsPending: 1,
          refundsFailed: 1,
          openDeadLetters: 1,
        });
      }),
    );

    it(
      "summarises purchases by state, refunds, dead letters and open jobs for the commands and the benchmark",
      withStore(async (store) => {
        await begin(store, [guardJob(P, NOW), refund(P, "pi_9")]);
        const summary = await store.summary();
        expect(summary).toMatchObject({
          purchasesByState: { awaiting_payment: 1 },
          refunds: 0,
          deadLetters: 0,
          pendingJobs: 2,
          oldestPendingJobAt: NOW,
          minFinalizedSlackMs: null,
        });
      }),
    );

    it(
      "records a requested refund once per key, never beyond what was paid minus what is refunded, and settles it",
      withStore(async (store) => {
        await begin(store, []);
        const asked = (refundKey: string, amountMinor: number) => ({
          refundKey,
          purchaseId: P,
          provider: "stripe",
          providerPaymentId: "pi_1",
          amountMinor,
          currency: "EUR",
          note: "one attendee cancelled",
          requestedBy: "finance@host",
        });
        const first = await store.requestRefund({
          refund: asked("rq:a", 1500),
          paidMinor: 2500,
          now: NOW,
          jobs: [guardJob(Q_FOR_REFUND, NOW)],
        });
        expect(first).toMatchObject({
          kind: "created",
          refund: {
            state: "requested",
            reason: "requested",
            note: "one attendee cancelled",
            requestedBy: "finance@host",
          },
        });
        expect((await store.listJobs()).map((j) => j.dedupe)).toEqual([`guard:${Q_FOR_REFUND}`]);
        const again = await store.requestRefund({
          refund: asked("rq:a", 1500),
          paidMinor: 2500,
          now: NOW + 1,
        });
        expect(again.kind).toBe("existing");
        expect(await store.requestRefund({ refund: asked("rq:b", 1001), paidMinor: 2500, now: NOW })).toEqual(
          {
            kind: "exceeds",
            paidMinor: 2500,
            refundedMinor: 1500,
          },
        );
        const settled = await store.settleRefund({
          refundKey: "rq:a",
          state: "succeeded",
          providerRefundId: "re_1",
          now: NOW + 5,
        });
        expect(settled).toMatchObject({ state: "succeeded", providerRefundId: "re_1", updatedAt: NOW + 5 });
        expect(await store.settleRefund({ refundKey: "rq:none", state: "failed", now: NOW })).toBeNull();
        // A failed refund gives its amount back to what may still be refunded.
        expect(
          (await store.requestRefund({ refund: asked("rq:c", 1000), paidMinor: 2500, now: NOW })).kind,
        ).toBe("created");
        await store.settleRefund({ refundKey: "rq:c", state: "failed", lastError: "declined", now: NOW });
        expect(
          (await store.requestRefund({ refund: asked("rq:d", 1000), paidMinor: 2500, now: NOW })).kind,
        ).toBe("created");
        expect((await store.listRefunds(P)).map((r) => [r.refundKey, r.state])).toEqual([
          ["rq:a", "succeeded"],
          ["rq:c", "failed"],
          ["rq:d", "requested"],
        ]);
        // Two requests at once for the last 10.00: only one passes.
        const race = await Promise.all([
          store.requestRefund({ refund: asked("rq:e", 1000), paidMinor: 3500, now: NOW }),
          store.requestRefund({ refund: asked("rq:f", 1000), paidMinor: 3500, now: NOW }),
        ]);
        expect(race.map((r) => r.kind).sort()).toEqual(["created", "exceeds"]);
      }),
    );

    it(
      "lists the purchases created or changed since a time, for a reconcile period",
      withStore(async (store) => {
        await begin(store, []);
        expect((await store.listPurchasesSince(NOW - 1)).map((p) => p.purchaseId)).toEqual([P]);
        expect(await store.listPurchasesSince(NOW + 1)).toEqual([]);
      }),
    );

    it(
      "keeps one Dataverse throttling hold per application user, which only moves later",
      withStore(async (store) => {
        const a = "org.crm.dynamics.com tenant client-a";
        const b = "org.crm.dynamics.com tenant client-b";
        expect(await store.readUserHolds([a, b])).toEqual([]);
        await store.recordUserHold({ userKey: a, heldUntil: NOW + 5000 }, NOW);
        // An earlier hold learnt later (another instance, an older 429) changes nothing.
        await store.recordUserHold({ userKey: a, heldUntil: NOW + 2000 }, NOW + 10);
        await store.recordUserHold({ userKey: b, heldUntil: NOW + 1000 }, NOW);
        await store.recordUserHold({ userKey: b, heldUntil: NOW + 7000 }, NOW + 20);
        const byKey = (holds: Array<{ userKey: string; heldUntil: number }>) =>
          Object.fromEntries(holds.map((h) => [h.userKey, h.heldUntil]));
        expect(byKey(await store.readUserHolds([a, b, "unknown"]))).toEqual({
          [a]: NOW + 5000,
          [b]: NOW + 7000,
        });
        expect(await store.readUserHolds([b])).toEqual([{ userKey: b, heldUntil: NOW + 7000 }]);
        expect(await store.readUserHolds([])).toEqual([]);
      }),
    );
  });
}
