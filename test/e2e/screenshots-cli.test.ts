// `npm run screenshots`: its edges (help, an unknown state named) without starting Chromium; the
// screenshots themselves are what test/e2e/gateway-states.test.ts checks, state by state.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = (args: string[]) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/screenshots.ts", ...args], {
    cwd: process.cwd(),
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

describe("npm run screenshots", () => {
  it("answers --help with every state's name", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run screenshots/);
    expect(result.stdout).toContain("refund_pending");
  }, 30_000);

  it("names an unknown state and writes nothing", async () => {
    const result = await run(["--state", "refundd", "--out", "/nonexistent/never-written"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Unknown state refundd");
  }, 30_000);
});
