import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import { reportToJson, reportToText } from "../../confirmation-endpoint/reconcile/format-report";
import { MINUTE, transient } from "./fakes";
import { OTHER_PURCHASE, PURCHASE, T0, payAndNotify, useHarness } from "./harness";
import type { Harness } from "./harness";

const run = promisify(execFile);
let h: Harness;
useHarness((created) => (h = created));
beforeEach(async () => {
  h.dataverse.addPurchase({ purchaseId: OTHER_PURCHASE, createdOn: new Date(T0).toISOString() });
  // PURCHASE: paid, Dataverse keeps failing → paid but not finalized (for now).
  for (let i = 0; i < 3; i++) h.dataverse.finalizeScript.push({ kind: "throw", error: transient() });
  await payAndNotify(h);
  await h.worker.drain();
  // OTHER_PURCHASE: wrong amount paid, and the refund fails → refund failed + two dead letters.
  const sessionId = await h.openSession(OTHER_PURCHASE);
  h.provider.pay(sessionId, { minor: 1, currency: "EUR" });
  h.provider.refundScript.push("failed");
  await h.app(h.webhookRequest(h.completedEvent(sessionId)));
  await h.worker.drain();
});

describe("reconciliation report", () => {
  it("flags a refund still pending after 24 h", async () => {
    const sessionId = h.provider.addForeignPaidSession(null, { minor: 700, currency: "EUR" }).id;
    h.provider.refundScript.push("pending");
    await h.app(h.webhookRequest(h.completedEvent(sessionId)));
    await h.worker.drain();
    const report = await h.store.reconcileReport(h.clock.now());
    const pending = report.refundsOpen.filter((r) => r.state === "pending");
    expect(pending).toHaveLength(1);
    expect(reportToText(report, h.clock.now() + 23 * 60 * MINUTE)).not.toContain("OVER 24 H");
    expect(reportToText(report, h.clock.now() + 25 * 60 * MINUTE)).toContain("pending (OVER 24 H)");
    const json = reportToJson(report, h.clock.now() + 25 * 60 * MINUTE) as {
      refunds: Array<{ state: string; overdue: boolean }>;
    };
    expect(json.refunds.filter((r) => r.overdue).map((r) => r.state)).toEqual(["pending"]);
    h.dataverse.finalizeScript.length = 0;
  });

  it("lists paid-not-finalized purchases, open or failed refunds and dead letters", async () => {
    const report = await h.store.reconcileReport(h.clock.now());
    const json = reportToJson(report, T0 + 60 * MINUTE) as Record<string, Array<Record<string, unknown>>>;
    expect(json.paidNotFinalized!.map((p) => [p.purchaseId, p.pastDeadline])).toEqual([[PURCHASE, true]]);
    expect(json.refunds!.map((r) => [r.purchaseId, r.reason, r.state])).toEqual([
      [OTHER_PURCHASE, "amount_mismatch", "failed"],
    ]);
    expect(json.deadLetters!.map((d) => [d.kind, d.reason])).toEqual([
      ["payment", "amount_mismatch"],
      ["refund", "refund_failed"],
    ]);
    expect(json.refunds![0]!.overdue).toBe(false);
    const text = reportToText(report, h.clock.now());
    expect(text).toContain("Paid but not finalized (1)");
    expect(text).toContain("Refunds pending or failed (1)");
    expect(text).toContain("Dead letters (2)");
    expect(text).toContain(PURCHASE);
    // Amounts for a person: decimals with the code, not minor units.
    expect(text).toContain("25.00 EUR");
    expect(text).toContain("0.01 EUR");
    expect(text).not.toMatch(/\b2500 EUR/);
    h.dataverse.finalizeScript.length = 0;
  });

  it("npm run reconcile -- --store-only --json prints the report from the store file; a missing or unsupported store is an error", async () => {
    const failure = (args: string[]) =>
      run(process.execPath, ["--import", "tsx", "scripts/reconcile.ts", ...args]).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
    const [ok, missing, postgres] = await Promise.all([
      run(process.execPath, [
        "--import",
        "tsx",
        "scripts/reconcile.ts",
        "--store-only",
        "--json",
        "--store",
        `sqlite:${h.dbPath}`,
      ]),
      failure(["--store-only", "--store", "sqlite:/nonexistent/x.sqlite"]),
      failure(["--store-only", "--store", "postgres://gateway:hunter2-not-real@db.invalid/gateway"]),
    ]);
    expect(postgres!.code).toBe(1);
    expect(postgres!.stderr).toContain("Could not open the PostgreSQL store");
    expect(postgres!.stderr).not.toContain("hunter2");
    const json = JSON.parse(ok.stdout) as { paidNotFinalized: unknown[]; deadLetters: unknown[] };
    expect(json.paidNotFinalized).toHaveLength(1);
    expect(json.deadLetters).toHaveLength(2);
    expect(missing!.code).toBe(1);
    expect(missing!.stderr).toContain("No store at /nonexistent/x.sqlite");
    h.dataverse.finalizeScript.length = 0;
  });
});
