// `npm run payments-table` on the command line, against the Dataverse stand-in: --help, a dry run
// with --json and --env-file that writes nothing, a create, a rerun that creates nothing, and
// refusals that name the problem and exit 1 before anything is sent.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startDataverseStandIn,
  type DataverseStandIn,
} from "../../sandbox/dataverse/start-dataverse-stand-in";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  promisify(execFile)(
    join(REPO, "node_modules/.bin/tsx"),
    [join(REPO, "scripts", "payments-table.ts"), ...args],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

let dv: DataverseStandIn;
let dir: string;
let envFile: string;
beforeAll(async () => {
  dv = await startDataverseStandIn({});
  dir = mkdtempSync(join(tmpdir(), "payments-table-cli-"));
  envFile = join(dir, ".env");
  writeFileSync(
    envFile,
    [
      `DATAVERSE_URL=${dv.url}`,
      `DATAVERSE_TENANT_ID=${dv.tenantId}`,
      `DATAVERSE_CLIENT_ID=${dv.clientId}`,
      `DATAVERSE_CLIENT_SECRET=${dv.clientSecret}`,
      `DATAVERSE_AUTHORITY_HOST=${dv.authorityHost}`,
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await dv?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run payments-table", () => {
  it("answers --help", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run payments-table -- create/);
  });

  it("dry run, create, rerun: JSON says what it would do, did, and found", async () => {
    const dry = await run(["create", "--dry-run", "--json", "--env-file", envFile]);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout) as { steps: Array<{ action: string }>; dryRun: boolean };
    expect(planned.dryRun).toBe(true);
    expect(new Set(planned.steps.map((s) => s.action))).toEqual(new Set(["would create"]));
    expect(dv.state.list("epgk_payments")).toEqual([]);

    const created = await run(["create", "--env-file", envFile]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Table epgk_payment \(entity set epgk_payments\): 17 part\(s\) created\./);

    const again = await run(["create", "--json", "--env-file", envFile]);
    const found = JSON.parse(again.stdout) as { steps: Array<{ action: string }>; keyStatus: string };
    expect(new Set(found.steps.map((s) => s.action))).toEqual(new Set(["exists"]));
    expect(found.keyStatus).toBe("Active");
  });

  it("refuses a bad prefix, a missing env file and a missing verb", async () => {
    const prefix = await run(["create", "--prefix", "Bad_Prefix", "--env-file", envFile]);
    expect(prefix.code).toBe(1);
    expect(prefix.stderr).toMatch(
      /--prefix \(or PAYMENTS_TABLE_PREFIX\) must be a publisher customization prefix/,
    );
    // tsx hands --env-file to node as well, which refuses a missing file first (exit 9), naming it.
    const file = await run(["create", "--env-file", join(dir, "missing.env")]);
    expect(file.code).not.toBe(0);
    expect(file.stderr).toMatch(/missing\.env/);
    const verb = await run([]);
    expect(verb.code).toBe(1);
    expect(verb.stderr).toMatch(/Say what to do: create/);
  });
});
