// `npx tsx scripts/report-long-functions.ts [folder] [--max N]`: lists every function longer than N
// lines (default 80; blank and comment lines not counted) outside test/ and node_modules/, with
// file, line, name and length, then the count. A report, not a gate: lint fails at 150.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseCommandLine, runCommand, UsageError } from "./lib/cli";
import { findLongFunctions } from "./lint/find-long-functions";
import { listSourceFiles } from "./lint/list-source-files";

const USAGE = `Usage: npx tsx scripts/report-long-functions.ts [folder] [--max <lines>]

  folder         where to look (default: the current folder)
  --max <lines>  report functions longer than this (default 80)`;

async function main(): Promise<void> {
  const parsed = parseCommandLine(process.argv.slice(2), { max: { type: "string", default: "80" } }, USAGE);
  if (!parsed) return;
  const maxLines = Number(parsed.values.max);
  if (!Number.isInteger(maxLines) || maxLines < 1)
    throw new UsageError(`--max must be a whole number of lines, got "${parsed.values.max}".`);
  const root = resolve(parsed.positionals[0] ?? ".");
  const found = listSourceFiles(root).flatMap((file) =>
    findLongFunctions(file, readFileSync(join(root, file), "utf8"), maxLines),
  );
  found.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
  for (const f of found) process.stdout.write(`${f.lines}\t${f.file}:${f.line}\t${f.name}\n`);
  process.stdout.write(`${found.length} functions over ${maxLines} lines\n`);
}

await runCommand(main);
