// Figure 1b (scripts/bench/burst/ingest-floor.ts) in a short form, at both depths: the kit's endpoint
// process and the floor receiver each acknowledge every signed webhook; at depth "store" each has
// stored every one (counted in its own SQLite file), at depth "route" neither stored any. The CPU
// figures are well-formed numbers; no timing is asserted.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ingestFloorLines, runIngestFloor } from "../../scripts/bench/burst/ingest-floor";
import type { IngestDepth } from "../../scripts/bench/burst/ingest-floor";

const WEBHOOKS = 120;
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

async function run(depth: IngestDepth) {
  dir = mkdtempSync(join(tmpdir(), `test-ingest-floor-${depth}-`));
  return runIngestFloor({ webhooks: WEBHOOKS, ratePerSecond: 400, rounds: 1, depth, dir });
}

describe("figure 1b, the kit beside the floor receiver", () => {
  it("at depth store: both acknowledge and store every webhook, and the figure judges its targets", async () => {
    const result = await run("store");
    for (const side of [result.kit, result.floor]) {
      expect({ acks: side.acks, stored: side.stored }).toEqual({ acks: WEBHOOKS, stored: WEBHOOKS });
      expect(side.cpuMsPerWebhook).toBeGreaterThan(0);
    }
    expect(result.cpuRatio).toBeCloseTo(result.kit.cpuMsPerWebhook / result.floor.cpuMsPerWebhook, 9);
    expect(ingestFloorLines(result).join("\n")).toMatch(/target ≤ 1\.5x: (met|MISSED)/);
  }, 90_000);

  it("at depth route: both acknowledge every webhook and store none, and no target is judged", async () => {
    const result = await run("route");
    for (const side of [result.kit, result.floor]) {
      expect({ acks: side.acks, stored: side.stored }).toEqual({ acks: WEBHOOKS, stored: 0 });
      expect(side.cpuMsPerWebhook).toBeGreaterThan(0);
    }
    const lines = ingestFloorLines(result).join("\n");
    expect(lines).toContain("up to the store only");
    expect(lines).not.toMatch(/target/);
  }, 90_000);
});
