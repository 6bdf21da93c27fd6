// `npm run validate -- <dir>`: checks a pac site folder and lists every problem at once.
// Problems go to stdout (they are the result), the summary to stderr; exit 1 when there is any.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { collectKnownSecrets } from "./build/known-secrets";
import { formatProblems, validateSiteFolder } from "./build/validate";

const HELP = `Usage: npm run validate -- <dir> [--json]

Checks the pac site folder <dir> (the folder holding website.yml, or the folder \`pac pages download
--path\` wrote it into) and reports every problem at once: lookups pointing at records that are not
in the folder, two records sharing a name or a partial URL under one parent, partial URLs outside
[A-Za-z0-9_-] or longer than 100 characters, template sources and page texts over 1,048,576
characters (summaries over 25,000, names over 100, titles over 512), adx_websiteid inside record files, and anything shaped like a secret.

Options:
  --json   print the problems as JSON
  --help   show this text`;

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      options: { json: { type: "boolean", default: false }, help: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(
      `${(error as Error).message}\nRun \`npm run validate -- --help\` for the options.\n`,
    );
    process.exitCode = 1;
    return;
  }
  if (parsed.values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined || extra.length > 0) {
    process.stderr.write(
      `Give exactly one site folder (got ${parsed.positionals.length}). Example: npm run validate -- ./site/contoso---contoso\n`,
    );
    process.exitCode = 1;
    return;
  }
  const result = validateSiteFolder(resolve(dir), { knownSecrets: collectKnownSecrets(process.env) });
  if (parsed.values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.problems.length > 0) process.stdout.write(`${formatProblems(result.problems)}\n`);
  process.stderr.write(
    result.problems.length === 0
      ? `OK: ${result.root} has no problems.\n`
      : `${result.problems.length} problem(s) in ${result.root}.\n`,
  );
  if (result.problems.length > 0) process.exitCode = 1;
}

main();
