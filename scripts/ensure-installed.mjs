// Runs before `npm start` and `npm test`: on a fresh clone without node_modules, install the
// locked dependencies first so the README's first command works on its own.
import { existsSync } from "node:fs";
import { execSync } from "node:child_process";

if (!existsSync(new URL("../node_modules/.package-lock.json", import.meta.url))) {
  process.stderr.write(
    "node_modules is missing: running `npm ci` first (about five minutes on two cores: better-sqlite3 compiles from source)…\n",
  );
  execSync("npm ci", { stdio: "inherit", cwd: new URL("..", import.meta.url) });
}
