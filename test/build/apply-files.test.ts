import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyFiles } from "../../scripts/build/apply-files";
import { makeTemp, removeTemps, snapshot } from "./helpers";

afterEach(removeTemps);

describe("applyFiles", () => {
  it("writes changed files, skips identical ones, and rolls everything back on request", () => {
    const root = join(makeTemp("epg-apply-"), "site");
    mkdirSync(root);
    writeFileSync(join(root, "same.txt"), "same");
    writeFileSync(join(root, "old.txt"), "old");
    const before = snapshot(root);
    const applied = applyFiles(root, [
      { path: "same.txt", content: "same" },
      { path: "old.txt", content: "new" },
      { path: "deep/er/new.txt", content: "fresh" },
    ]);
    expect(applied.unchanged).toEqual(["same.txt"]);
    expect(applied.changed).toEqual(["old.txt", "deep/er/new.txt"]);
    expect(snapshot(root).get("old.txt")).toBe("new");
    applied.rollback();
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, "deep"))).toBe(false);
    expect(readdirSync(dirname(root))).toEqual(["site"]);
  });

  it("leaves no staging folder behind after commit", () => {
    const root = join(makeTemp("epg-apply-"), "site");
    mkdirSync(root);
    applyFiles(root, [{ path: "a.txt", content: "a" }]).commit();
    expect(readdirSync(dirname(root))).toEqual(["site"]);
    expect(snapshot(root).get("a.txt")).toBe("a");
  });
});
