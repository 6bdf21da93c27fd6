// The command-line entries end to end, with the real template and client (whatever gateway-client/
// holds now): one process per case, so keep the cases few. Each spawns tsx, slow on a busy machine,
// hence the longer timeouts.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { copySite, makeTemp, removeTemps, repoRoot, snapshot } from "./helpers";

afterEach(removeTemps);
const run = promisify(execFile);
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");

async function cli(script: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(tsx, [join(repoRoot, "scripts", script), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run build / validate", () => {
  it("builds dist and a site from the real template, then validates", async () => {
    const out = makeTemp("epg-dist-");
    const site = copySite("enhanced");
    const secret = "sk_test_51TopSecretValueForTheTest";
    const build = await cli(
      "build.ts",
      ["--site", site, "--out", out, "--endpoint-url", "https://pay.example.test"],
      { STRIPE_SECRET_KEY: secret },
    );
    expect(build.stderr).toMatch(/script \d+ B \(\d+ B gzipped\), style \d+ B/);
    expect(build.code, build.stderr).toBe(0);
    expect(build.stdout).toMatch(/^CSP: script-src 'sha256-[A-Za-z0-9+/=]+'/m);

    const report = JSON.parse(readFileSync(join(out, "build-report.json"), "utf8")) as {
      csp: { scripts: string[] };
    };
    const source = readFileSync(join(out, "Payment-Gateway.webtemplate.source.html"), "utf8");
    const inline = [...source.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
      (m) =>
        `'sha256-${createHash("sha256")
          .update(m[1] ?? "")
          .digest("base64")}'`,
    );
    expect(report.csp.scripts.every((h) => inline.includes(h))).toBe(true);
    expect(source).toContain("{{ settings['PaymentGateway/EndpointUrl']");
    expect(source).not.toMatch(/\[\[|\[%/);
    for (const [path, text] of snapshot(site)) expect(text.includes(secret), path).toBe(false);

    const validate = await cli("validate.ts", [site]);
    expect(validate.code, validate.stdout).toBe(0);
  }, 90_000);

  it("refuses a folder without website.yml with exit 1, answers --help", async () => {
    const empty = makeTemp("epg-empty-");
    const build = await cli("build.ts", ["--site", empty, "--out", makeTemp("epg-dist-")]);
    expect(build.code).toBe(1);
    expect(build.stderr).toMatch(/no website\.yml.*pac pages download --path <dir> --webSiteId/);
    const validate = await cli("validate.ts", [empty]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toMatch(/^- error \[SITE_FOLDER_NOT_FOUND\] .*pac pages download/m);
    const help = await cli("validate.ts", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run validate/);
  }, 90_000);

  it("answers --help, and refuses an unknown option with exit 1 and where to look", async () => {
    const help = await cli("build.ts", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run build[\s\S]*--site <dir>[\s\S]*--force/);
    const wrong = await cli("build.ts", ["--sight", "x"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--sight[\s\S]*npm run build -- --help/);
  }, 90_000);

  it("validate: warnings alone exit 0, --strict makes them count", async () => {
    const site = copySite("stock");
    const plain = await cli("validate.ts", [site]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^- warning \[DUPLICATE_NAME\] .*themefeature/m);
    expect(plain.stderr).toMatch(/0 error\(s\), 2 warning\(s\) .*warnings only: OK/);
    const strict = await cli("validate.ts", [site, "--strict"]);
    expect(strict.code).toBe(1);
  });
});
