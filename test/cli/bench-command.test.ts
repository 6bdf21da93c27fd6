// `npm run bench` on the shared command line: a benchmark that does not exist is named with the
// list, and a run's verdict lines are counted the same way for --json and the closing summary.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { describeContext, runContext, verdicts } from "../../scripts/lib/bench-report";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

describe("npm run bench", () => {
  it("names a benchmark that does not exist and lists those that do, exit 1", () => {
    const result = spawnSync(`${repoRoot}node_modules/.bin/tsx`, ["scripts/bench.ts", "burts"], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "No benchmark named burts; the benchmarks are attendee-wait, build, burst,",
    );
  });

  it("counts targets by their verdict word, a MISSED line never as met", () => {
    const lines = [
      "target    full build well under 1000 ms: met",
      "  kit vs floor CPU/webhook: 1.94x; target ≤ 1.5x: MISSED; kit p99 36.9 ms, target < 20 ms: MISSED",
      "  target p50 < 2000 ms quiet: met",
      "  metered figure without a target",
    ];
    const { met, missed } = verdicts(lines);
    expect(met).toEqual([lines[0], lines[2]]);
    expect(missed).toEqual([lines[1]]);
  });

  it("states the machine, the commit and the load of a run", () => {
    const context = runContext(new Date("2026-12-07T05:00:00Z"));
    expect(context.commit).toMatch(/^[0-9a-f]{7,}$/);
    expect(context.cpus).toBeGreaterThan(0);
    expect(context.load).toHaveLength(3);
    expect(describeContext(context)).toMatch(
      /^commit [0-9a-f]{7,}.*, 2026-12-07T05:00:00\.000Z; \d+ × .+, [\d.]+ GiB, Node v\d+.*load average [\d.]+ \/ [\d.]+ \/ [\d.]+/,
    );
  });
});
