// A crash between each pair of steps, then a fresh worker on a new connection to the same SQLite
// file. "Crash" = the old worker's store stops answering right after a remote call, so nothing
// after that call is written, exactly as if the process had died; the job stays leased until its
// lease runs out.

import { describe, expect, it } from "vitest";
import { MINUTE } from "./fakes";
import { PURCHASE, payAndNotify, useHarness } from "./harness";
import type { Harness } from "./harness";
import type { Worker } from "../../confirmation-endpoint/worker/worker";

let h: Harness;
useHarness((created) => (h = created));

const crash = () => {
  h.storeSwitch.mode = "down";
};

/** Restart: a new connection to the same file and a new worker, once the old lease has run out. */
async function restartAndSettle(): Promise<void> {
  h.clock.advance(3 * MINUTE);
  const store = h.openStore();
  const worker = h.newWorker(store, "after-restart");
  await h.settle(worker, h.clock.now() + 60 * MINUTE, store);
}

/** The old worker runs until its store "dies" (its next claim fails, as a dead process would). */
async function runUntilCrash(): Promise<void> {
  await h.worker.drain().catch(() => undefined);
  expect(h.storeSwitch.mode).toBe("down");
}

async function finalState() {
  const store = h.openStore();
  const jobs = await store.listJobs();
  const now = h.clock.now();
  return {
    purchase: (await store.getPurchase(PURCHASE))!.state,
    // Nothing lost: no job is left due or leased, except the timed close/guard jobs of the future.
    stuck: jobs.filter(
      (j) =>
        j.lockedBy !== null ||
        (j.notBefore <= now && !["close_checkout", "guard"].includes(j.kind) && j.attempts === 0),
    ),
  };
}

/** Real milliseconds, for the worker's timers (the lease is looked at on a real timer). */
const realMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Pays and notifies, runs the payment job on `worker` (or a new worker "slow" with `renewal`), then
 * starts its finalize, whose call stays open (`kind`) until `release()`.
 */
async function startSlowFinalize(
  kind: "apply_then_wait" | "held",
  options: { renewal?: Parameters<Harness["newWorker"]>[2]; worker?: Worker } = {},
): Promise<{ release: () => void; slow: Promise<number> }> {
  let release = () => {};
  h.dataverse.finalizeScript.push({ kind, release: new Promise<void>((r) => (release = r)) });
  await payAndNotify(h);
  const worker = options.worker ?? h.newWorker(h.store, "slow", options.renewal);
  await worker.runOnce(); // payment job → winner
  return { release, slow: worker.runOnce() }; // finalize job: the call stays open (a long Retry-After, say)
}

describe("crash between steps, then restart: nothing lost, nothing doubled", () => {
  it("after the webhook commit, before any worker ran", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify(h);
    crash();
    await restartAndSettle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(await finalState()).toEqual({ purchase: "finalized", stuck: [] });
  });

  it("after the payment re-read, before the decision was written", async () => {
    h.dataverse.finalizeScript.push({ kind: "ok" });
    await payAndNotify(h);
    h.provider.onGetPayment = () => {
      h.provider.onGetPayment = null;
      crash();
    };
    await runUntilCrash();
    expect((await h.openStore().getPurchase(PURCHASE))!.winningPaymentId).toBeNull();
    await restartAndSettle();
    expect(h.provider.calls.filter((c) => c.op === "getPayment")).toHaveLength(2);
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(await finalState()).toEqual({ purchase: "finalized", stuck: [] });
  });

  it("after the finalize call took effect, before its outcome was written: the probe settles it, no second call", async () => {
    h.dataverse.finalizeScript.push({ kind: "hook", run: crash, then: { kind: "ok" } });
    await payAndNotify(h);
    await runUntilCrash();
    expect(await h.openStore().getPurchase(PURCHASE)).toMatchObject({
      state: "finalizing",
      finalizeInFlight: true,
    });
    await restartAndSettle();
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(h.dataverse.registrations.get(PURCHASE)).toBe(1);
    expect(await finalState()).toEqual({ purchase: "finalized", stuck: [] });
    expect(h.provider.refundCount()).toBe(0);
  });

  it("after the 'sent' mark, before the call landed: the probe says no, finalize is sent once more", async () => {
    h.dataverse.finalizeScript.push(
      { kind: "hook", run: crash, then: { kind: "throw", error: new Error("process died") } },
      { kind: "ok" },
    );
    await payAndNotify(h);
    await runUntilCrash();
    await restartAndSettle();
    expect(h.dataverse.finalizeCount()).toBe(2);
    expect(h.dataverse.registrations.get(PURCHASE)).toBe(1);
    expect(await finalState()).toEqual({ purchase: "finalized", stuck: [] });
  });

  it("after the refund call, before its outcome was written: the same key is used again, one refund", async () => {
    const sessionId = await h.openSession();
    const paymentId = h.provider.pay(sessionId, { minor: 1, currency: "EUR" });
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    h.provider.refundScript.push({ hook: crash }, "ok");
    await runUntilCrash();
    await restartAndSettle();
    const keys = h.provider.calls.filter((c) => c.op === "refund").map((c) => c.key);
    expect(keys).toEqual([`refund:${paymentId}:amount_mismatch`, `refund:${paymentId}:amount_mismatch`]);
    expect(h.provider.refundCount()).toBe(1);
    expect((await h.openStore().listRefunds()).map((r) => r.state)).toEqual(["succeeded"]);
  });

  it("a job leased by a dead worker is not taken before its lease runs out", async () => {
    h.dataverse.finalizeScript.push({ kind: "hook", run: crash, then: { kind: "ok" } });
    await payAndNotify(h);
    await runUntilCrash();
    const store = h.openStore();
    const early = h.newWorker(store, "too-early");
    expect(await early.runOnce()).toBe(0);
    h.clock.advance(3 * MINUTE);
    expect(await early.runOnce()).toBe(1);
    expect((await store.getPurchase(PURCHASE))!.state).toBe("finalized");
    expect(h.dataverse.finalizeCount()).toBe(1);
  });

  it("a slow finalize keeps renewing its lease: no other worker starts the same finalize meanwhile (issue #14, item 13)", async () => {
    const reads = () => h.dataverse.calls.filter((c) => c.op === "read").length;
    const { release, slow } = await startSlowFinalize("apply_then_wait", { renewal: { renewEveryMs: 10 } });
    const readsBefore = reads();
    for (let i = 0; i < 3; i++) {
      h.clock.advance(MINUTE); // three minutes in all: past the two-minute lease …
      await realMs(50); // … but renewed on the way
    }
    const other = h.newWorker(h.store, "other");
    expect(await other.runOnce()).toBe(0);
    release();
    await slow;
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(reads()).toBe(readsBefore); // nobody had to probe: the call was never in doubt
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
  });

  it("renewal is judged on the clock, which may run faster than real time (the burst benchmark's): the lease holds", async () => {
    // Renewed every 40 s of the clock (a third of the lease), looked at every 10 ms of real time.
    const { release, slow } = await startSlowFinalize("apply_then_wait", { renewal: { renewTickMs: 10 } });
    for (let i = 0; i < 6; i++) {
      h.clock.advance(MINUTE / 2); // three minutes on the clock in about 0.3 s of real time
      await realMs(50);
    }
    const other = h.newWorker(h.store, "other");
    expect(await other.runOnce()).toBe(0);
    release();
    await slow;
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
  });

  it("a worker that finds its lease lost while its finalize waits to be sent never sends it: one registration", async () => {
    const { release, slow } = await startSlowFinalize("held", { renewal: { renewTickMs: 10 } });
    await realMs(20);
    h.clock.advance(3 * MINUTE); // the process stalled past its lease
    h.dataverse.finalizeScript.push({ kind: "ok" });
    const other = h.newWorker(h.store, "other");
    await other.drain(); // the "sent" mark: probes, finds nothing, finalizes
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
    await realMs(50); // the slow worker's next look at its lease
    release();
    await slow;
    expect(h.dataverse.registrations.get(PURCHASE)).toBe(1);
    expect(h.logger.entries.some((e) => e.outcome === "lease_lost" && e.workerId === "slow")).toBe(true);
  });

  it("a slow worker whose lease ran out: the next worker probes, sees the registration, and the slow one's result is dropped", async () => {
    const { release, slow } = await startSlowFinalize("apply_then_wait", { worker: h.worker });
    await realMs(20);
    h.clock.advance(3 * MINUTE);
    const other = h.newWorker(h.store, "other");
    await other.drain();
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
    release();
    await slow;
    expect(h.dataverse.finalizeCount()).toBe(1);
    expect(h.logger.entries.some((e) => e.outcome === "lease_lost" && e.workerId === h.worker.workerId)).toBe(
      true,
    );
    expect((await h.store.getPurchase(PURCHASE))!.state).toBe("finalized");
  });
});
