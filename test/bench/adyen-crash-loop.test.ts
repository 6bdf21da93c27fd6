// The burst benchmark's crash loop with Adyen as the provider: payment links paid on the Adyen
// stand-in, its notification batches retried while the endpoint process is SIGKILLed and restarted,
// and at the end every purchase finalized exactly once in Dataverse or refunded at Adyen.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCrashLoop } from "../../scripts/bench/burst/crash-loop";
import { createScaledClock } from "../../scripts/bench/burst/scaled-clock";
import { startBurstWorld, type BurstWorld } from "../../scripts/bench/burst/stand-ins";

let dir: string;
let world: BurstWorld;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "test-burst-adyen-"));
  world = await startBurstWorld({
    clock: createScaledClock(),
    timeScale: 100,
    dir,
    passCapacity: 1000,
    provider: "adyen",
  });
});

afterAll(async () => {
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("burst with Adyen and the endpoint process killed", () => {
  it("ends with every paid purchase finalized exactly once or refunded after two SIGKILLs", async () => {
    const result = await runCrashLoop(world, {
      purchases: 40,
      kills: 2,
      dir,
      settleTimeoutMs: 60_000,
      ceiling: { timeScale: 100, costMs: 30_000 },
      killAfterMs: [150, 700],
      progress: () => undefined,
    });
    expect(world.adyen!.standIn.state.payments.size).toBe(40);
    expect(result.store.settled).toBe(40);
    expect(result.lost).toBe(0);
    expect(result.doubled).toBe(0);
    expect(result.dataverse.processed + result.refunds).toBe(40);
    expect(result.dataverse.registrations).toBe(result.dataverse.processed);
  }, 120_000);
});
