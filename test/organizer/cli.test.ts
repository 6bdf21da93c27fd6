// The organizer commands' edges: --help, bad input and missing credentials give a clear message and
// a non-zero exit before anything is sent anywhere.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const run = (script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  promisify(execFile)(join(REPO, "node_modules/.bin/tsx"), [join(REPO, "scripts", script), ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

describe("assign, doctor and clear-cache on the command line", () => {
  it("answer --help", async () => {
    for (const script of ["assign.ts", "doctor.ts", "clear-cache.ts"]) {
      const result = await run(script, ["--help"]);
      expect(result.code, script).toBe(0);
      expect(result.stdout).toMatch(/^Usage: npm run /);
    }
  });

  it("assign lists every bad input at once", async () => {
    const result = await run("assign.ts", ["--web-page-id", "not-a-guid", "--website-id", "x"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--web-page-id must be a GUID/);
    expect(result.stderr).toMatch(/--website-id must be a GUID/);
    expect(result.stderr).toMatch(/Say what to assign/);
  });

  it("doctor refuses to start without a Dataverse connection and names each missing variable", async () => {
    const result = await run("doctor.ts", []);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/DATAVERSE_URL/);
    expect(result.stderr).toMatch(/DATAVERSE_CLIENT_ID/);
  });

  it("clear-cache needs something to clear", async () => {
    const result = await run("clear-cache.ts", ["--website-id", "aaaaaaaa-0001-4000-8000-000000000001"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Give --portal-url, --environment-id, or both/);
  });
});
