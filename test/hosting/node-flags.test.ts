// The endpoint's node flags (scripts/hosting/node-flags.ts) are the same wherever the kit starts it:
// `npm run serve`, the Dockerfile, the App Service start command in docs/azure.md and what
// build:hosting prints. And this Node accepts them, the young generation's cap doing what the docs say.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENDPOINT_NODE_FLAGS, ENDPOINT_START_COMMAND } from "../../scripts/hosting/node-flags";

const root = process.cwd();
const read = (file: string) => readFileSync(join(root, file), "utf8");

describe("the endpoint's node flags", () => {
  it("are the ones npm run serve, the Dockerfile and the App Service docs start it with", () => {
    expect(ENDPOINT_NODE_FLAGS.length).toBeGreaterThan(0);
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts.serve).toBe(`tsx ${ENDPOINT_NODE_FLAGS.join(" ")} confirmation-endpoint/main.ts`);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(read("Dockerfile"))?.[1] ?? "[]") as string[];
    expect(cmd).toEqual(["node", ...ENDPOINT_NODE_FLAGS, "dist/endpoint/main.js"]);
    const azure = read("docs/azure.md");
    expect(azure).toContain(`| Startup Command | \`${ENDPOINT_START_COMMAND}\` |`);
    expect(azure).not.toMatch(/`node dist\/endpoint\/main\.js`/);
  });

  // node refuses to start with a V8 flag its V8 does not know: this runs node with all of them.
  it("start this Node, and keep V8's young generation at two 4 MiB semi-spaces under churn", () => {
    const churn = `
      const v8 = require("node:v8");
      let keep = [];
      for (let i = 0; i < 2e6; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 5e4) keep = []; }
      const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
      process.stdout.write(String(space.space_size / 1048576));`;
    const newSpaceMiB = (flags: readonly string[]) =>
      Number(execFileSync(process.execPath, [...flags, "-e", churn], { encoding: "utf8" }));
    expect(newSpaceMiB(ENDPOINT_NODE_FLAGS)).toBeLessThanOrEqual(8);
    // Without the flag the same churn grows it further: the flag is what holds it.
    expect(newSpaceMiB([])).toBeGreaterThan(8);
  }, 30_000);
});
