// Every command's edge, the same everywhere (scripts/lib/cli.ts): --help on stdout with exit 0 and
// the common options listed; a bad command line gives "Error: …" naming every problem in our words,
// then exactly one line pointing to --help (never the whole usage), exit 1, nothing on stdout.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const tsx = `${repoRoot}node_modules/.bin/tsx`;

/** [how users call it, script, prints a result (so takes --json)] */
const COMMANDS: Array<[string, string, boolean]> = [
  ["npm start", "scripts/start.ts", false],
  ["npm run build", "scripts/build.ts", true],
  ["npm run validate", "scripts/validate.ts", true],
  ["npm run preview", "scripts/preview.ts", false],
  ["npm run reconcile", "scripts/reconcile.ts", true],
  ["npm run refund", "scripts/refund.ts", true],
  ["npm run payments-table", "scripts/payments-table.ts", true],
  ["npm run store", "scripts/store.ts", true],
  ["npm run deploy", "scripts/deploy.ts", true],
  ["npm run clear-cache", "scripts/clear-cache.ts", true],
  ["npm run assign", "scripts/assign.ts", true],
  ["npm run doctor", "scripts/doctor.ts", true],
  ["npm run bench", "scripts/bench.ts", true],
];

function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(tsx, [script, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, DATAVERSE_URL: "", DATAVERSE_CLIENT_SECRET: "", ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each(COMMANDS)("%s", (command, script, printsResult) => {
  it("--help: the usage on stdout, exit 0, with --env-file and --help (and --json when it prints a result)", () => {
    const result = run(script, ["--help"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.startsWith(`Usage: ${command}`)).toBe(true);
    expect(result.stdout).toContain("--env-file <file>");
    expect(result.stdout).toContain("--help");
    if (printsResult) expect(result.stdout).toContain("--json");
  });

  it("a bad command line: every problem at once, then one line pointing to --help; no usage, no stdout", () => {
    const result = run(script, ["--zzzz", "--jsno", "--env-file"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`Error: --zzzz is not an option of ${command}.`);
    if (printsResult) expect(lines).toContain(`--jsno is not an option of ${command}; did you mean --json?`);
    else expect(lines.some((l) => l.startsWith(`--jsno is not an option of ${command}`))).toBe(true);
    expect(lines).toContain("--env-file needs a value, e.g. --env-file <value>.");
    expect(lines.at(-1)).toBe(`Run \`${command} -- --help\` for the options.`);
    expect(lines).toHaveLength(4);
    expect(result.stderr).not.toContain("Usage:");
  });
});

describe("values", () => {
  it("npm start reports every invalid value at once", () => {
    const result = run("scripts/start.ts", ["--port", "80", "--provider", "venmo", "--store", "mysql"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--port "80" is not usable');
    expect(result.stderr).toContain('--provider "venmo" is not known');
    expect(result.stderr).toContain('--store "mysql" is not known');
    expect(result.stderr.trimEnd().split("\n").at(-1)).toBe("Run `npm start -- --help` for the options.");
  });

  it("a switch given a value is named", () => {
    const result = run("scripts/reconcile.ts", ["--json=yes"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--json is a switch and takes no value (got "yes").');
  });

  it("an --env-file that does not exist is named and stops the command", () => {
    // Node 20 itself reads --env-file even after the script's name (nodejs/node#54232) and stops
    // first with "node: <file>: not found"; the kit's own check says the same on a Node that does not.
    const result = run("scripts/doctor.ts", ["--env-file", "/nonexistent/sandbox.env"]);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("/nonexistent/sandbox.env");
    expect(result.stderr).toMatch(/not found|no such file/);
  });

  it("--env-file values reach the command (reconcile reads STORE_URL from it) and are never printed", () => {
    const dir = mkdtempSync(join(tmpdir(), "epg-cli-env-"));
    try {
      const file = join(dir, "x.env");
      writeFileSync(file, `STORE_URL=sqlite:${join(dir, "absent.sqlite")}\nSECRET_THING=do-not-print-me\n`);
      const result = run("scripts/reconcile.ts", ["--store-only", "--env-file", file], {
        STORE_URL: "sqlite:/elsewhere.sqlite",
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`read 2 variable(s) from ${file}`);
      expect(result.stderr).toContain(`No store at ${join(dir, "absent.sqlite")}`);
      expect(result.stderr + result.stdout).not.toContain("do-not-print-me");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("deploy --dry-run with a bad website id: that is the one problem; missing credentials are not one", () => {
    const env = {
      DATAVERSE_TENANT_ID: "",
      DATAVERSE_CLIENT_ID: "",
      PAC_CERTIFICATE_PATH: "",
      PAC_MANAGED_IDENTITY: "",
      PAC_FEDERATED: "",
    };
    const result = run(
      "scripts/deploy.ts",
      ["--dry-run", "--environment", "https://contoso.crm.dynamics.com", "--website-id", "not-a-guid"],
      env,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--website-id must be a GUID, got "not-a-guid"');
    expect(result.stderr).not.toMatch(/DATAVERSE_CLIENT_SECRET|credential/i);
  });

  it("deploy --dry-run needs no credentials; its plan lists the files, and says when there is nothing to write", () => {
    const dir = mkdtempSync(join(tmpdir(), "epg-cli-plan-"));
    try {
      cpSync(join(repoRoot, "test/fixtures/standard-site"), dir, { recursive: true });
      const env = { DATAVERSE_TENANT_ID: "", DATAVERSE_CLIENT_ID: "", PAC_CERTIFICATE_PATH: "" };
      const args = [
        "--dry-run",
        "--environment",
        "https://contoso.crm.dynamics.com",
        "--website-id",
        "11111111-2222-4333-8444-555555555555",
        "--site",
        dir,
      ];
      const first = run("scripts/deploy.ts", [...args, "--json"], env);
      expect(first.status).toBe(0);
      const plan = (JSON.parse(first.stdout) as { plan: { steps: string[]; files: string[] } }).plan;
      expect(plan.steps[0]).toContain("--applicationId <DATAVERSE_CLIENT_ID>");
      expect(plan.files).toContain("sitesetting.yml");

      expect(run("scripts/build.ts", ["--site", dir, "--out", `${dir}-dist`]).status).toBe(0);
      const second = run("scripts/deploy.ts", args, env);
      expect(second.status).toBe(0);
      expect(second.stdout).toContain("Nothing to write: the site folder already holds the kit's records");
      expect(second.stdout).not.toContain("Files the overlay writes");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}-dist`, { recursive: true, force: true });
    }
  });
});
