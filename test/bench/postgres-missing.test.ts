// Without Debian's postgresql package the benchmark's PostgreSQL figures are skipped with a note
// naming the package, instead of failing the run (the binaries' lookup is replaced here).

import { describe, expect, it, vi } from "vitest";
import { POSTGRES_MISSING, runPostgresFigures } from "../../scripts/bench/burst/postgres-figures";
import type { BurstWorld } from "../../scripts/bench/burst/stand-ins";
import type * as Cluster from "../../sandbox/postgres-cluster";

vi.mock("../../sandbox/postgres-cluster", async (original) => ({
  ...(await original<typeof Cluster>()),
  findPostgresBin: () => null,
}));

describe("burst figures on PostgreSQL without the server binaries", () => {
  it("answers a skip note that names the package, touching nothing", async () => {
    const untouched = new Proxy({} as BurstWorld, {
      get: (_, key) => {
        throw new Error(`the world was used (${String(key)}) although PostgreSQL is missing`);
      },
    });
    const plan = {
      purchases: 10,
      layouts: [{ instances: 1, userPerInstance: false }],
      users: 3,
      timeScale: 100,
      costMs: 1000,
      fireRate: 100,
      settleTimeoutMs: 1000,
      poolSize: 4,
      crash: { purchases: 10, instances: 3, kills: 1, timeScale: 100, costMs: 1000, settleTimeoutMs: 1000 },
    };
    const outcome = await runPostgresFigures(untouched, plan, { dir: "/nonexistent", progress: () => {} });
    expect(outcome).toEqual({ skipped: POSTGRES_MISSING });
    expect(POSTGRES_MISSING).toMatch(/postgresql/);
  });
});
