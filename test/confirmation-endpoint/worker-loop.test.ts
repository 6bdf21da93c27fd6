// The worker's background loop: when a job is due but cannot be claimed (its purchase has another job
// leased, here by a worker on another instance) it waits instead of asking the store again at once,
// and new work stored still wakes it within a few ms; wakes that come together make one claim; a slow
// job holds its own slot, not the ones beside it; slots that free up together are claimed for in one call.

import { afterEach, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { guardJob, finalizeJob } from "../../confirmation-endpoint/lifecycle/jobs";
import { openSqliteStore } from "../../confirmation-endpoint/store/sqlite-store";
import type { WorkerDeps } from "../../confirmation-endpoint/worker/context";
import { createWorker } from "../../confirmation-endpoint/worker/worker";
import type { Worker } from "../../confirmation-endpoint/worker/worker";
import { FakeClock } from "./fakes";

const T = 1_800_000_000_000;
const P = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("worker loop", () => {
  let worker: Worker | null = null;
  afterEach(async () => {
    await worker?.stop();
    worker = null;
  });

  it("pauses while the only due job belongs to a purchase busy elsewhere, and wakes soon for new work", async () => {
    const store = openSqliteStore(":memory:");
    const clock = new FakeClock(T);
    await store.enqueueJob(finalizeJob(P, T), T);
    // Another instance's worker holds the purchase's finalize (say, waiting out a Retry-After).
    await store.claimJobs({ workerId: "elsewhere", limit: 1, now: T, leaseMs: 600_000 });
    await store.enqueueJob(guardJob(P, T), T);
    const claims = vi.spyOn(store, "claimJobs");
    const deps = { store, clock, logger: { log: () => undefined } } as unknown as WorkerDeps;
    worker = createWorker(deps, { pollMs: 5_000 });
    worker.start();
    await sleep(600);
    // At once again and again, this was hundreds of claims; with the pause, about one per 250 ms.
    expect(claims.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(claims.mock.calls.length).toBeLessThanOrEqual(6);
    const before = claims.mock.calls.length;
    worker.wake();
    await vi.waitFor(() => expect(claims.mock.calls.length).toBeGreaterThan(before), {
      timeout: 150,
      interval: 5,
    });
    await worker.stop();
    await store.close();
  });

  it("claims once for wakes that come a few ms apart (a burst of webhooks stored)", async () => {
    const store = openSqliteStore(":memory:");
    const claims = vi.spyOn(store, "claimJobs");
    const deps = {
      store,
      clock: new FakeClock(T),
      logger: { log: () => undefined },
    } as unknown as WorkerDeps;
    worker = createWorker(deps, { pollMs: 5_000 });
    worker.start();
    // The first pass finds nothing due and sleeps for pollMs.
    await vi.waitFor(() => expect(claims).toHaveBeenCalledTimes(1), { timeout: 500, interval: 5 });
    await sleep(20);
    for (let i = 0; i < 3; i++) {
      worker.wake();
      await sleep(3);
    }
    await sleep(60);
    // One claim per wake, each as it came, would be 3.
    expect(claims.mock.calls.length - 1).toBeGreaterThanOrEqual(1);
    expect(claims.mock.calls.length - 1).toBeLessThanOrEqual(2);
    await worker.stop();
    await store.close();
  });

  it("keeps claiming beside a slow job: the jobs after the first batch run while it is still running", async () => {
    const store = openSqliteStore(":memory:");
    const clock = new FakeClock(T);
    const slow = randomUUID();
    const others = Array.from({ length: 7 }, () => randomUUID());
    // The slow job is due first, so it is in the first batch of four.
    await store.enqueueJob(guardJob(slow, T - 1000), T);
    for (const id of others) await store.enqueueJob(guardJob(id, T), T);
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const looked = new Set<string>();
    const getPurchase = store.getPurchase.bind(store);
    vi.spyOn(store, "getPurchase").mockImplementation(async (id) => {
      looked.add(id);
      if (id === slow) await gate; // a step waiting on a slow call out
      return getPurchase(id);
    });
    const deps = { store, clock, logger: { log: () => undefined } } as unknown as WorkerDeps;
    worker = createWorker(deps, { concurrency: 4, pollMs: 5_000 });
    worker.start();
    try {
      // Waiting for the whole batch, only the first three others would start before the gate opens.
      await vi.waitFor(() => expect(looked.size).toBe(8), { timeout: 2_000, interval: 10 });
    } finally {
      release();
    }
    await worker.stop();
    await store.close();
  });

  it("claims once for slots that free up a few ms apart, not once per finished job", async () => {
    const store = openSqliteStore(":memory:");
    const clock = new FakeClock(T);
    for (let i = 0; i < 8; i++) await store.enqueueJob(guardJob(randomUUID(), T), T);
    // The jobs of a batch finish 0, 2, 4 and 6 ms after they commit, each at its own moment.
    let started = 0;
    let done = 0;
    const commitJob = store.commitJob.bind(store);
    vi.spyOn(store, "commitJob").mockImplementation(async (...args) => {
      await sleep(2 * (started++ % 4));
      const committed = await commitJob(...args);
      done++;
      return committed;
    });
    const claims = vi.spyOn(store, "claimJobs");
    const deps = { store, clock, logger: { log: () => undefined } } as unknown as WorkerDeps;
    worker = createWorker(deps, { concurrency: 4, pollMs: 5_000 });
    worker.start();
    await vi.waitFor(() => expect(done).toBe(8), { timeout: 2_000, interval: 5 });
    // One claim per batch of four (and perhaps the one that finds nothing left); claiming at each
    // finished job made six, for 2, 3 or 4 slots.
    const limits = claims.mock.calls.map(([query]) => query.limit);
    expect(limits.slice(0, 2)).toEqual([4, 4]);
    expect(limits.length).toBeLessThanOrEqual(3);
    await worker.stop();
    await store.close();
  });
});
