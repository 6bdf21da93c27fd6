// The two work lanes on each backend: the main lane never claims background jobs (the payments
// table); the background lane claims only those, and nothing while any finalize job is pending,
// even one waiting out a retry in the future.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalizeJob, paymentsTableJob } from "../../confirmation-endpoint/lifecycle/jobs";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { parseStoreUrl } from "../../confirmation-endpoint/store/store-url";
import type { PaymentStore } from "../../confirmation-endpoint/store/types";
import { postgresBinForTests, startCluster, type PgCluster } from "./postgres-cluster";
import { NOW, P } from "./store-contract";

const OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const lease = { limit: 10, leaseMs: 60_000 };

function describeLanes(name: string, open: () => Promise<PaymentStore>) {
  describe(`work lanes (${name})`, () => {
    it("background jobs wait for every pending finalize; the main lane never takes them", async () => {
      const store = await open();
      try {
        await store.enqueueJob(paymentsTableJob(OTHER, NOW), NOW);
        await store.enqueueJob(finalizeJob(P, NOW), NOW);
        expect(await store.claimJobs({ workerId: "bg", now: NOW, lane: "background", ...lease })).toEqual([]);
        const [fin] = await store.claimJobs({ workerId: "main", now: NOW, ...lease });
        expect(fin?.kind).toBe("finalize");
        expect(await store.claimJobs({ workerId: "main2", now: NOW, ...lease })).toEqual([]);
        // The finalize waits out a Retry-After: still pending, so the background lane still waits.
        await store.commitJob(
          fin!.id,
          "main",
          { next: { kind: "retry", at: NOW + 30_000, error: "429" } },
          NOW,
        );
        expect(await store.claimJobs({ workerId: "bg", now: NOW + 1, lane: "background", ...lease })).toEqual(
          [],
        );
        expect(await store.nextDueAt()).toBe(NOW + 30_000);
        // Nothing of the background lane counts as due while a finalize is pending (its loop sleeps).
        expect(await store.nextDueAt("background")).toBeNull();
        const [again] = await store.claimJobs({ workerId: "main", now: NOW + 30_000, ...lease });
        await store.commitJob(again!.id, "main", { next: { kind: "done" } }, NOW + 30_001);
        expect(await store.nextDueAt("background")).toBe(NOW);
        const bg = await store.claimJobs({ workerId: "bg", now: NOW + 30_002, lane: "background", ...lease });
        expect(bg.map((j) => [j.kind, j.purchaseId, j.payload])).toEqual([
          ["payments_table", null, { purchaseId: OTHER }],
        ]);
      } finally {
        await store.close();
      }
    });
  });
}

const root = mkdtempSync(join(tmpdir(), "work-lane-"));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));
describeLanes("sqlite", async () => openStore({ kind: "sqlite", path: join(root, `s${++n}.sqlite`) }));

const bin = postgresBinForTests();
let cluster: PgCluster | undefined;
beforeAll(async () => {
  if (bin) cluster = await startCluster(bin);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});
describe.skipIf(!bin)("PostgreSQL", () => {
  describeLanes("postgres", async () => {
    const config = parseStoreUrl(await cluster!.createDatabase(`lane${++n}`), { PGSSLMODE: "disable" });
    if ("problem" in config) throw new Error(config.problem);
    return openStore(config);
  });
});
