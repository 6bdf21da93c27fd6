// `npm run validate -- <dir>`: checks a pac site folder and lists every problem at once.
// Problems go to stdout (they are the result), the summary to stderr; exit 1 when there is an
// error (or, with --strict, a warning).

import { resolve } from "node:path";
import { collectKnownSecrets } from "./build/known-secrets";
import { UsageError, parseCommandLine, runCommand } from "./lib/cli";
import { failingProblems, formatProblems, validateSiteFolder } from "./build/validate";

const HELP = `Usage: npm run validate -- <dir> [--json] [--strict]

Checks the pac site folder <dir> (the folder holding website.yml, or the folder \`pac pages download
--path\` wrote it into) and reports every problem at once.

Errors (exit code 1): what pac, the portal or \`npm run build\` would reject: no Home root page, no
Published state or no language (the build refuses those), lookups pointing at records that are not
in the folder, two pages sharing a partial URL under one parent, partial URLs with / ? # ! % or
spaces or over 100 characters, template sources and page texts over 1,048,576 characters
(summaries over 25,000, names over 100, titles over 512), a record mixing adx_ and bare keys,
adx_websiteid inside record files, and anything shaped like a secret.

Warnings (exit code 0 unless --strict): what Power Pages tolerates: repeated setting, snippet or
template names, same-name pages with their own partial URLs, links to pages no longer in the
folder, files in the other key style than website.yml.

Options:
  --json             print the problems as JSON (each with its severity)
  --strict           warnings count as errors for the exit code
  --env-file <file>  read environment variables from <file> first (secrets it should look for)
  --help             show this text`;

function main(): void {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    { json: { type: "boolean", default: false }, strict: { type: "boolean", default: false } },
    HELP,
  );
  if (!parsed) return;
  const [dir, ...extra] = parsed.positionals;
  if (dir === undefined || extra.length > 0)
    throw new UsageError(
      `Give exactly one site folder (got ${parsed.positionals.length}). Example: npm run validate -- ./site/contoso---contoso`,
    );
  const result = validateSiteFolder(resolve(dir), { knownSecrets: collectKnownSecrets(process.env) });
  if (parsed.values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.problems.length > 0) process.stdout.write(`${formatProblems(result.problems)}\n`);
  const errors = result.problems.filter((p) => p.severity === "error").length;
  const warnings = result.problems.length - errors;
  const failing = failingProblems(result.problems, parsed.values.strict).length;
  process.stderr.write(
    result.problems.length === 0
      ? `OK: ${result.root} has no problems.\n`
      : `${errors} error(s), ${warnings} warning(s) in ${result.root}${failing === 0 ? " (warnings only: OK)" : ""}.\n`,
  );
  if (failing > 0) process.exitCode = 1;
}

await runCommand(main);
