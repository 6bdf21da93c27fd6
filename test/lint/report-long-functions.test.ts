import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { findLongFunctions } from "../../scripts/lint/find-long-functions";

const REPO = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

/** A function whose body holds `statements` lines, so it spans statements + 2 lines in all. */
function functionOf(name: string, statements: number, filler = ""): string {
  const body = Array.from({ length: statements }, (_, i) => `  total += ${i};${filler}`);
  return [`export function ${name}(total: number): number {`, ...body, "}"].join("\n");
}

describe("findLongFunctions", () => {
  it("counts a function of 81 lines and not one of 80", () => {
    const text = [functionOf("eighty", 78), functionOf("eightyOne", 79)].join("\n\n");
    const found = findLongFunctions("a.ts", text, 80);
    expect(found).toEqual([{ file: "a.ts", name: "eightyOne", line: 82, lines: 81 }]);
  });

  it("skips blank and comment-only lines, as the lint rule does", () => {
    const padded = functionOf("padded", 78, "\n\n  // why\n  /* a\n     block */");
    expect(padded.split("\n").length).toBeGreaterThan(300);
    expect(findLongFunctions("b.ts", padded, 80)).toEqual([]);
    expect(findLongFunctions("b.ts", padded, 79)).toEqual([
      { file: "b.ts", name: "padded", line: 1, lines: 80 },
    ]);
  });

  it("names arrows by their variable, methods by their class and callbacks by their caller", () => {
    const body = Array.from({ length: 3 }, () => "    void 0;").join("\n");
    const text = [
      `const arrow = () => {\n${body}\n};`,
      `class Store {\n  save(): void {\n${body}\n  }\n}`,
      `describe("x", () => {\n${body}\n});`,
    ].join("\n");
    expect(findLongFunctions("c.ts", text, 2).map((f) => f.name)).toEqual([
      "arrow",
      "Store.save",
      "<callback of describe>",
    ]);
  });
});

describe("scripts/report-long-functions.ts", () => {
  const root = mkdtempSync(join(tmpdir(), "long-functions-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("lists long functions outside test/ and node_modules/ and prints the count", async () => {
    for (const folder of ["src", "test", "node_modules/pkg"])
      mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, "src", "long.ts"), `${functionOf("short", 78)}\n${functionOf("long", 79)}\n`);
    writeFileSync(join(root, "src", "longer.mjs"), functionOf("longer", 100).replace(": number", ""));
    writeFileSync(join(root, "test", "ignored.ts"), functionOf("inTest", 200));
    writeFileSync(join(root, "node_modules", "pkg", "ignored.ts"), functionOf("inPackage", 200));

    const { stdout } = await run(join(REPO, "node_modules", ".bin", "tsx"), [
      join(REPO, "scripts", "report-long-functions.ts"),
      root,
    ]);
    expect(stdout.trim().split("\n")).toEqual([
      "102\tsrc/longer.mjs:1\tlonger",
      "81\tsrc/long.ts:81\tlong",
      "2 functions over 80 lines",
    ]);
  });
});
