// The store's group commit for webhooks: calls made in the same turn of the event loop share one
// transaction, yet each gets its own outcome, and a duplicate inside the same group is still a
// duplicate.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { PaymentEvent } from "../../confirmation-endpoint/providers/types";
import { openSqliteStore } from "../../confirmation-endpoint/store/sqlite-store";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function event(n: number): PaymentEvent {
  return {
    provider: "stripe",
    dedupeKey: `evt_${n}`,
    type: "checkout.session.completed",
    signal: "paid",
    purchaseId: null,
    providerPaymentId: `pi_${n}`,
    providerSessionId: `cs_${n}`,
    amount: { minor: 4000, currency: "EUR" },
    live: false,
    occurredAt: new Date(1_800_000_000_000),
  };
}

describe("webhook group commit", () => {
  it("answers each of 50 concurrent webhooks with its own outcome, duplicates included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "group-commit-"));
    dirs.push(dir);
    const path = join(dir, "store.sqlite");
    const store = openSqliteStore(path);
    const calls = Array.from({ length: 50 }, (_, i) =>
      store.recordWebhook([event(i % 40)], 1_800_000_000_000),
    );
    const outcomes = await Promise.all(calls);
    // Events 40..49 repeat 0..9 within the same group.
    expect(outcomes.slice(0, 40).every((o) => o.stored === 1 && o.duplicates === 0)).toBe(true);
    expect(outcomes.slice(40).every((o) => o.stored === 0 && o.duplicates === 1)).toBe(true);
    const again = await store.recordWebhook([event(3), event(77)], 1_800_000_000_000);
    expect(again).toEqual({ stored: 1, duplicates: 1 });
    await store.close();
    const db = new Database(path, { readonly: true });
    expect((db.prepare("SELECT count(*) AS n FROM webhook_event").get() as { n: number }).n).toBe(41);
    db.close();
  });
});
