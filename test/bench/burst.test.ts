// The short, correctness-only variant of the burst benchmark (scripts/bench/burst.ts): a burst of
// paid purchases against the Dataverse stand-in at its real limits (time-scaled, windows already
// full, so it answers 429), and a burst during which the endpoint process is SIGKILLed and
// restarted. Nothing lost, nothing doubled. No timing is asserted.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCrashLoop } from "../../scripts/bench/burst/crash-loop";
import { runKitBurst } from "../../scripts/bench/burst/run-kit-burst";
import { createScaledClock } from "../../scripts/bench/burst/scaled-clock";
import { startBurstWorld } from "../../scripts/bench/burst/stand-ins";
import type { BurstWorld } from "../../scripts/bench/burst/stand-ins";

let dir: string;
let world: BurstWorld;
const quiet = () => {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "test-burst-"));
  world = await startBurstWorld({ clock: createScaledClock(), timeScale: 100, dir, passCapacity: 1000 });
});

afterAll(async () => {
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("burst at the service-protection ceiling", () => {
  it("finalizes every paid purchase once, before its deadline, through the 429s", async () => {
    const purchases = 100;
    const result = await runKitBurst(world, {
      label: "ceiling",
      purchases,
      users: 1,
      // x50, not faster: a webhook's signature is checked against Stripe's 300 s tolerance on this
      // clock, which at x50 still leaves 6 real seconds for an answer on a busy machine.
      timeScale: 50,
      // 15 s of execution per finalize: the window allows 80 per 5 minutes (6 real seconds), so the burst must wait.
      costMs: 15_000,
      fireRate: 200,
      dir,
      settleTimeoutMs: 60_000,
      progress: quiet,
    });
    expect(result.ingest.statuses).toEqual({ "200": purchases });
    expect(result.throttled).toBeGreaterThan(0);
    expect(result.store.states).toEqual({ finalized: purchases });
    expect(result.dataverse).toEqual({ processed: purchases, registrations: purchases, doubled: 0 });
    expect(result.finalizeSucceeded).toBe(purchases);
    expect(result.refunds).toBe(0);
    expect(result.store.deadLetters).toBe(0);
    expect(result.store.minSlackMs).toBeGreaterThan(0);
  }, 120_000);
});

describe("burst with the endpoint process killed", () => {
  it("ends with every paid purchase finalized exactly once or refunded after two SIGKILLs", async () => {
    const result = await runCrashLoop(world, {
      purchases: 60,
      kills: 2,
      dir,
      settleTimeoutMs: 60_000,
      ceiling: { timeScale: 100, costMs: 30_000 },
      killAfterMs: [150, 700],
      progress: quiet,
    });
    expect(result.store.settled).toBe(60);
    expect(result.lost).toBe(0);
    expect(result.doubled).toBe(0);
    expect(result.dataverse.processed + result.refunds).toBe(60);
    expect(result.dataverse.registrations).toBe(result.dataverse.processed);
  }, 120_000);
});
