// During a burst the worker must keep Dataverse busy: a due finalize job is claimed before older
// payment jobs (which only read Stripe); other kinds still run when no finalize is due.

import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../../confirmation-endpoint/store/sqlite-store";

const T = 1_800_000_000_000;

describe("claim order", () => {
  it("claims a due finalize before older payment jobs, and payment jobs when no finalize is due", async () => {
    const store = openSqliteStore(":memory:");
    for (let i = 0; i < 5; i++) {
      await store.enqueueJob(
        { dedupe: `payment:${i}`, purchaseId: `p${i}`, kind: "payment", payload: {}, notBefore: T },
        T,
      );
    }
    await store.enqueueJob(
      {
        dedupe: "finalize:f1",
        purchaseId: "f1",
        kind: "finalize",
        payload: { purchaseId: "f1" },
        notBefore: T + 10,
      },
      T + 10,
    );
    await store.enqueueJob(
      {
        dedupe: "finalize:f2",
        purchaseId: "f2",
        kind: "finalize",
        payload: { purchaseId: "f2" },
        notBefore: T + 60_000,
      },
      T + 10,
    );

    const first = await store.claimJobs({ workerId: "w", limit: 2, now: T + 20, leaseMs: 60_000 });
    expect(first.map((j) => [j.kind, j.purchaseId])).toEqual([
      ["finalize", "f1"],
      ["payment", "p0"],
    ]);
    const next = await store.claimJobs({ workerId: "w", limit: 10, now: T + 30, leaseMs: 60_000 });
    expect(next.map((j) => j.purchaseId)).toEqual(["p1", "p2", "p3", "p4"]);
    await store.close();
  });
});
