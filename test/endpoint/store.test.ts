import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StaleLeaseError, StoreError, VersionConflictError } from "../../confirmation-endpoint/errors";
import type { PaymentEvent } from "../../confirmation-endpoint/providers/types";
import { openSqliteStore } from "../../confirmation-endpoint/store/sqlite-store";
import type { NewPurchase, PaymentStore } from "../../confirmation-endpoint/store/types";

let dir: string;
let path: string;
let store: PaymentStore;
const NOW = 1_800_000_000_000;
const P = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

const purchase: NewPurchase = {
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
};

const event = (id: string, extra: Partial<PaymentEvent> = {}): PaymentEvent => ({
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

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "store-test-"));
  path = join(dir, "nested", "gateway.sqlite");
  store = openSqliteStore(path);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SQLite store", () => {
  it("creates the folder, runs WAL with FULL sync and a busy timeout, records its schema version once", async () => {
    await store.close();
    store = openSqliteStore(path);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT version FROM schema_migrations").all()).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    db.close();
  });

  it("refuses a database from a newer release", async () => {
    await store.close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
    db.close();
    expect(() => openSqliteStore(path)).toThrow(StoreError);
    expect(() => openSqliteStore(path)).toThrow(/newer than this code/);
    store = openSqliteStore(":memory:");
  });

  it("deduplicates webhook events on provider + event id, and enqueues one payment job per session", async () => {
    await store.beginCheckout({
      purchase,
      provider: "stripe",
      now: NOW,
      idempotencyKeyFor: (a) => `k${a}`,
      jobs: [],
    });
    expect(await store.recordWebhook([event("evt_1"), event("evt_1")], NOW)).toEqual({
      stored: 1,
      duplicates: 1,
    });
    expect(
      await store.recordWebhook([event("evt_2", { type: "checkout.session.async_payment_succeeded" })], NOW),
    ).toEqual({ stored: 1, duplicates: 0 });
    const jobs = await store.listJobs();
    expect(jobs.map((j) => [j.kind, j.dedupe])).toEqual([["payment", "payment:stripe:cs_1"]]);
    expect((await store.getPurchase(P))!.state).toBe("paid");
  });

  it("leases jobs: one per purchase in flight, an expired lease is claimed again, a stale worker cannot commit", async () => {
    await store.beginCheckout({
      purchase,
      provider: "stripe",
      now: NOW,
      idempotencyKeyFor: (a) => `k${a}`,
      jobs: [
        { dedupe: "a", purchaseId: P, kind: "guard", payload: {}, notBefore: NOW },
        { dedupe: "b", purchaseId: P, kind: "close_checkout", payload: {}, notBefore: NOW },
        { dedupe: "c", purchaseId: null, kind: "refund", payload: {}, notBefore: NOW + 1000 },
      ],
    });
    const first = await store.claimJobs({ workerId: "w1", limit: 10, now: NOW, leaseMs: 1000 });
    expect(first.map((j) => j.dedupe)).toEqual(["a"]);
    expect(await store.claimJobs({ workerId: "w2", limit: 10, now: NOW + 500, leaseMs: 1000 })).toEqual([]);
    const again = await store.claimJobs({ workerId: "w2", limit: 10, now: NOW + 1001, leaseMs: 1000 });
    expect(again.map((j) => [j.dedupe, j.attempts])).toEqual([
      ["a", 2],
      ["c", 1],
    ]);
    await expect(
      store.commitJob(first[0]!.id, "w1", { next: { kind: "done" } }, NOW + 1002),
    ).rejects.toBeInstanceOf(StaleLeaseError);
    await store.commitJob(again[0]!.id, "w2", { next: { kind: "done" } }, NOW + 1002);
    const next = await store.claimJobs({ workerId: "w2", limit: 10, now: NOW + 1003, leaseMs: 1000 });
    expect(next.map((j) => j.dedupe)).toEqual(["b"]);
  });

  it("compare-and-set on version: a stale view rolls the whole step back", async () => {
    await store.beginCheckout({
      purchase,
      provider: "stripe",
      now: NOW,
      idempotencyKeyFor: (a) => `k${a}`,
      jobs: [{ dedupe: "g", purchaseId: P, kind: "guard", payload: {}, notBefore: NOW }],
    });
    const [job] = await store.claimJobs({ workerId: "w", limit: 1, now: NOW, leaseMs: 60_000 });
    const p = (await store.getPurchase(P))!;
    await expect(
      store.commitJob(
        job!.id,
        "w",
        {
          purchase: { purchaseId: P, expectedVersion: p.version + 1, set: { state: "expired" } },
          deadLetters: [{ purchaseId: P, kind: "x", reason: "y" }],
          next: { kind: "done" },
        },
        NOW,
      ),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(await store.listDeadLetters()).toEqual([]);
    expect((await store.getPurchase(P))!.state).toBe("awaiting_payment");
    await store.commitJob(
      job!.id,
      "w",
      {
        purchase: { purchaseId: P, expectedVersion: p.version, set: { state: "expired" } },
        next: { kind: "done" },
      },
      NOW,
    );
    expect((await store.getPurchase(P))!).toMatchObject({ state: "expired", version: p.version + 1 });
  });

  it("keeps t0 and the deadline of the first checkout; reserves attempts in order", async () => {
    const a = await store.beginCheckout({
      purchase,
      provider: "stripe",
      now: NOW,
      idempotencyKeyFor: (n) => `k${n}`,
      jobs: [],
    });
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
  });

  it("a second writer holding the lock past the busy timeout → StoreError (the webhook answers 5xx), then it works again", async () => {
    await store.close();
    store = openSqliteStore(path, { busyTimeoutMs: 50 });
    const other = new Database(path);
    other.prepare("BEGIN IMMEDIATE").run();
    await expect(store.recordWebhook([event("evt_busy")], NOW)).rejects.toBeInstanceOf(StoreError);
    other.prepare("ROLLBACK").run();
    other.close();
    expect(await store.recordWebhook([event("evt_busy", { purchaseId: null })], NOW)).toEqual({
      stored: 1,
      duplicates: 0,
    });
  });
});
