import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const tsx = `${repoRoot}node_modules/.bin/tsx`;
const run = (args: string[]) =>
  spawnSync(tsx, ["scripts/preview.ts", ...args], { cwd: repoRoot, encoding: "utf8" });

describe("npm run preview", () => {
  it("answers --help on stdout with exit code 0", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("--site <dir>");
  });

  it("reports every invalid option at once on stderr and exits 1", () => {
    const result = run(["--port", "99999", "--language", "french"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--site <dir> is required");
    expect(result.stderr).toContain("--port must be a whole number");
    expect(result.stderr).toContain("--language must be a language code");
  });

  it("refuses a port written other than as a whole number", () => {
    const result = run(["--site", "test/fixtures/standard-site", "--port", "1e3"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--port must be a whole number from 0 to 65535, got "1e3"');
  });

  it("refuses a fixtures file of the wrong shape, naming each bad entry", () => {
    const dir = mkdtempSync(join(tmpdir(), "epg-preview-fixtures-"));
    try {
      const file = join(dir, "fixtures.yml");
      writeFileSync(file, "contacts:\n  - contactid: c1\nrows: []\n");
      const result = run(["--site", "test/fixtures/standard-site", "--fixtures", file]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`Fixtures ${file} do not have the expected shape`);
      expect(result.stderr).toMatch(/contacts\.0\.fullname: /);
      expect(result.stderr).toMatch(/rows: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown fixture user with the known ones listed", () => {
    const result = run(["--site", "test/fixtures/standard-site", "--user", "nobody"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('No fixture contact has the id or name "nobody"');
  });

  it("serves the site and prints its page URLs on stdout", async () => {
    const child = spawn(
      tsx,
      ["scripts/preview.ts", "--site", "test/fixtures/enhanced-site", "--language", "fr-FR"],
      { cwd: repoRoot },
    );
    try {
      const homeUrl = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const home = out.split("\n").find((line) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(line));
          if (home) resolve(home);
        });
        child.once("exit", (code) => reject(new Error(`preview exited with ${code}`)));
      });
      const response = await fetch(homeUrl);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("<h1>Accueil</h1>");
    } finally {
      child.kill("SIGTERM");
    }
  });
});
