// `npm run bench [-- <name> …] [--json]`: runs every benchmark module in scripts/bench/ (or only
// those named) one after the other. Each module exports `name`, `describe` and `run()`, prints its
// own figures as ratios against a baseline measured in the same run, each target followed by "met"
// or "MISSED" (scripts/lib/bench-report.ts). The run starts by saying the machine, the commit and
// the load; with --json the same comes out as one JSON document, the figures' lines included.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describeContext, runContext, verdicts } from "./lib/bench-report";
import { parseCommandLine, runCommand, UsageError } from "./lib/cli";

interface BenchModule {
  name: string;
  describe: string;
  run(): Promise<void>;
}

const dir = fileURLToPath(new URL("./bench/", import.meta.url));
const names = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();

const USAGE = `Usage: npm run bench [-- <name> …] [--json] [--env-file <file>]

Runs the benchmarks (all, or those named), each printing its figures beside a baseline measured in
the same run and every target as met or MISSED. Benchmarks: ${names.join(", ")}.
docs/benchmarks.md says what each measures, the environment variables that size them
(BURST_QUICK=1, BENCH_QUICK=1 …) and the recorded runs.

  --json             print one JSON document: the machine, the commit and the load, then per
                     benchmark its lines, how long it took and which targets were met or missed
  --env-file <file>  read environment variables from <file> first
  --help             show this text

Progress goes to stderr. Exit code 0 even when a target is missed (a benchmark reports, it does not
judge); 1 when a benchmark fails to run.`;

interface BenchResult {
  name: string;
  describe: string;
  seconds: number;
  lines: string[];
  met: number;
  missed: string[];
}

/** Runs one module, keeping what it prints on stdout; shown as it comes unless `quiet` (--json). */
async function runOne(file: string, quiet: boolean): Promise<BenchResult> {
  const mod = (await import(pathToFileURL(join(dir, `${file}.ts`)).href)) as BenchModule;
  const started = performance.now();
  let text = "";
  const write = process.stdout.write.bind(process.stdout);
  if (quiet) process.stderr.write(`bench: ${mod.name}…\n`);
  else write(`\n## ${mod.name}: ${mod.describe}\n`);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const part = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    text += part;
    return quiet ? true : write(part);
  }) as typeof process.stdout.write;
  try {
    await mod.run();
  } finally {
    process.stdout.write = write;
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const { met, missed } = verdicts(lines);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  return { name: mod.name, describe: mod.describe, seconds, lines, met: met.length, missed };
}

await runCommand(async () => {
  const parsed = parseCommandLine(process.argv.slice(2), { json: { type: "boolean" } }, USAGE);
  if (!parsed) return;
  const asked = parsed.positionals as string[];
  const unknown = asked.filter((a) => !names.includes(a));
  if (unknown.length > 0)
    throw new UsageError(`No benchmark named ${unknown.join(", ")}; the benchmarks are ${names.join(", ")}.`);
  const context = runContext();
  const json = parsed.values.json === true;
  if (!json) process.stdout.write(`Run: ${describeContext(context)}\n`);
  const results: BenchResult[] = [];
  for (const name of asked.length > 0 ? names.filter((n) => asked.includes(n)) : names)
    results.push(await runOne(name, json));
  if (json) {
    process.stdout.write(`${JSON.stringify({ context, benchmarks: results }, null, 2)}\n`);
    return;
  }
  const missed = results.flatMap((r) => r.missed.map((line) => `  ${r.name}: ${line.trim()}`));
  const met = results.reduce((n, r) => n + r.met, 0);
  process.stdout.write(
    `\nTargets: ${met} met, ${missed.length} MISSED${missed.length ? `:\n${missed.join("\n")}` : ""}\n`,
  );
});
