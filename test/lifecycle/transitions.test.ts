// The lifecycle table, row by row: every allowed move is accepted, every other (state, target,
// trigger) is refused, so a change to the table shows up here and in docs/architecture.md at once.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  findTransition,
  IllegalTransitionError,
  movePurchase,
  PURCHASE_STATES,
  TRANSITIONS,
} from "../../confirmation-endpoint/lifecycle/transitions";
import type { Trigger } from "../../confirmation-endpoint/lifecycle/transitions";
import type { PurchaseStatus } from "../../confirmation-endpoint/store/types";

const TRIGGERS = [...new Set(TRANSITIONS.map((t) => t.on))] as Trigger[];
const purchase = (state: PurchaseStatus) => ({ purchaseId: "p-1", state, version: 7 });

const allowed = TRANSITIONS.flatMap((t) => t.from.map((from) => [from, t.to, t.on] as const));
const refused = PURCHASE_STATES.flatMap((from) =>
  PURCHASE_STATES.flatMap((to) =>
    TRIGGERS.filter((on) => !allowed.some(([f, t, o]) => f === from && t === to && o === on)).map(
      (on) => [from, to, on] as const,
    ),
  ),
);

describe("purchase lifecycle table", () => {
  it.each(allowed)("allows %s → %s on %s", (from, to, on) => {
    const change = movePurchase(purchase(from), to, on, { lastError: "x" });
    expect(change).toEqual({ purchaseId: "p-1", expectedVersion: 7, set: { lastError: "x", state: to } });
  });

  it("refuses every other move", () => {
    expect(refused.length).toBe(PURCHASE_STATES.length ** 2 * TRIGGERS.length - allowed.length);
    for (const [from, to, on] of refused) {
      expect(findTransition(from, to, on)).toBeNull();
      expect(() => movePurchase(purchase(from), to, on)).toThrow(IllegalTransitionError);
    }
  });

  it("lets nothing leave finalized or refunded", () => {
    for (const t of TRANSITIONS) {
      expect(t.from).not.toContain("finalized");
      expect(t.from).not.toContain("refunded");
    }
  });

  it("is the table docs/architecture.md prints", () => {
    const doc = readFileSync(new URL("../../docs/architecture.md", import.meta.url), "utf8");
    for (const t of TRANSITIONS) {
      expect(doc).toContain(`| ${t.from.join(", ")} | ${t.to} | ${t.on} | ${t.by} |`);
    }
  });
});
