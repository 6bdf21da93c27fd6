// BURST_FIGURES: the burst benchmark runs the figures asked for, plus those whose results they read,
// in report order; an unknown id is refused with the list of known ones.

import { describe, expect, it } from "vitest";
import { selectFigures } from "../../scripts/bench/burst/select-figures";

const figures = [
  { id: "1" },
  { id: "1b" },
  { id: "2", needs: ["1"] },
  { id: "3", needs: ["1"] },
  { id: "5" },
  { id: "6", needs: ["3"] },
];
const ids = (raw: string | undefined, note?: (line: string) => void) =>
  selectFigures(figures, raw, note).map((f) => f.id);

describe("selectFigures", () => {
  it("runs every figure when BURST_FIGURES is unset or blank", () => {
    expect(ids(undefined)).toEqual(["1", "1b", "2", "3", "5", "6"]);
    expect(ids("  ")).toEqual(["1", "1b", "2", "3", "5", "6"]);
  });

  it("keeps report order whatever order they are named in", () => {
    expect(ids("5, 1b,1")).toEqual(["1", "1b", "5"]);
  });

  it("adds what a figure needs, transitively, and says so", () => {
    const notes: string[] = [];
    expect(ids("6,5", (line) => notes.push(line))).toEqual(["1", "3", "5", "6"]);
    expect(notes).toEqual([
      "figure 6 needs figure 3: running it too",
      "figure 3 needs figure 1: running it too",
    ]);
  });

  it("refuses an unknown figure, naming the known ones", () => {
    expect(() => ids("1,4")).toThrow(/no figure "4"; the figures are 1, 1b, 2, 3, 5, 6/);
  });
});
