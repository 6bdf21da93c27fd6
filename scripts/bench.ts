// `npm run bench`: runs every benchmark module in scripts/bench/ (or only those named on the command
// line) one after the other. Each module exports `name`, `describe` and `run()`, prints its own
// figures as ratios against a baseline measured in the same run, and returns nothing.
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";

interface BenchModule {
  name: string;
  describe: string;
  run(): Promise<void>;
}

const dir = fileURLToPath(new URL("./bench/", import.meta.url));
const args = process.argv.slice(2);
if (args.includes("--help")) {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.replace(/\.ts$/, ""));
  process.stdout.write(`Usage: npm run bench [-- <name> …]\nBenchmarks: ${names.join(", ")}\n`);
  process.exit(0);
}
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .sort()
  .filter((f) => args.length === 0 || args.includes(f.replace(/\.ts$/, "")));
if (files.length === 0) {
  process.stderr.write(`No benchmark matches ${args.join(", ")}. Run with --help for the list.\n`);
  process.exitCode = 1;
}
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as BenchModule;
  process.stdout.write(`\n## ${mod.name}: ${mod.describe}\n`);
  await mod.run();
}
