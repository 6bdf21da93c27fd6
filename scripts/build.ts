// `npm run build [-- --site <dir>] [options]`: site-independent output in dist/, and with --site the
// kit's records written into a pac site folder. Progress goes to stderr, results to stdout.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SiteFolderError } from "../power-pages";
import { formatCspDirectives } from "./build/csp-hashes";
import { BuildError } from "./build/errors";
import { collectKnownSecrets } from "./build/known-secrets";
import { runBuild } from "./build/run-build";
import { UsageError, checkNotEmpty, parseCommandLine, runCommand, throwProblems } from "./lib/cli";

const HELP = `Usage: npm run build [-- options]

Without --site: bundles gateway-client/, renders portal-templates/payment-gateway.html and writes
dist/ (web template source, definitions.json, build-report.json, csp.txt).
With --site: also writes the kit's records (web template, page template, web page + one content
page per language, site settings) into the pac site folder <dir> (the folder holding website.yml,
or the folder \`pac pages download --path\` wrote it into), then validates the folder.

Options:
  --site <dir>          pac site folder to write the records into
  --name <text>         name of the web template, page template and web page (default: definitions)
  --partial-url <text>  partial URL of the page: letters, digits, _ and - (default: payment-gateway)
  --endpoint-url <url>  value of the PaymentGateway/EndpointUrl site setting
  --config <file>       JSON or YAML overriding portal-templates/definitions.yml (any subset)
  --out <dir>           where the site-independent output goes (default: dist)
  --force               take over records that already use the kit's name or partial URL
                        (their ids are kept, their content replaced) instead of refusing
  --json                the build report (sizes, CSP, files written) as JSON on stdout
  --env-file <file>     read environment variables from <file> first (its values win)
  --help                show this text

Nothing is written when anything is wrong; the exit code is then 1.`;

const OPTIONS = {
  site: { type: "string" },
  name: { type: "string" },
  "partial-url": { type: "string" },
  "endpoint-url": { type: "string" },
  config: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
} as const;

async function main(): Promise<void> {
  const parsed = parseCommandLine(process.argv.slice(2), OPTIONS, HELP, { positionals: false });
  if (!parsed) return;
  const args = parsed.values;
  const problems: string[] = [];
  checkNotEmpty(args, problems);
  throwProblems(problems);

  const repoRoot = fileURLToPath(new URL("..", import.meta.url));
  const kitVersion = (
    JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as { version: string }
  ).version;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const result = await runBuild({
    repoRoot,
    kitVersion,
    ...(args.config ? { configFile: resolve(args.config) } : {}),
    overrides: {
      ...(args.name !== undefined ? { name: args.name } : {}),
      ...(args["partial-url"] !== undefined ? { partialUrl: args["partial-url"] } : {}),
      ...(args["endpoint-url"] !== undefined ? { endpointUrl: args["endpoint-url"] } : {}),
    },
    outDir: resolve(args.out ?? resolve(repoRoot, "dist")),
    ...(args.site ? { site: resolve(args.site) } : {}),
    force: args.force,
    knownSecrets: collectKnownSecrets(process.env),
    log,
  });

  const { report } = result.artifacts;
  log(
    `script ${report.script.bytes} B (${report.script.gzipBytes} B gzipped), style ${report.style.bytes} B (${report.style.gzipBytes} B gzipped), template ${report.template.characters}/${report.template.limit} characters`,
  );
  for (const element of report.csp.unhashable)
    log(`warning: inline ${element} holds runtime Liquid; its CSP hash can only be taken on the portal.`);
  if (args.json) {
    const overlay = result.overlay && {
      siteRoot: result.overlay.siteRoot,
      changed: result.overlay.changed,
      url: result.overlay.url,
      ids: result.overlay.ids,
      warnings: result.overlay.warnings,
    };
    process.stdout.write(
      `${JSON.stringify({ report, csp: formatCspDirectives(report.csp), overlay }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(`CSP: ${formatCspDirectives(report.csp)}\n`);
  if (result.overlay) {
    for (const warning of result.overlay.warnings) log(`warning: ${warning}`);
    process.stdout.write(
      `${result.overlay.changed.length === 0 ? "Unchanged" : `Wrote ${result.overlay.changed.length} file(s)`}: ${result.overlay.siteRoot}\n` +
        `Gateway page: ${result.overlay.url} (web page ${result.overlay.ids.webPage})\n`,
    );
  }
}

await runCommand(async () => {
  try {
    await main();
  } catch (error) {
    // The build's own errors carry a stable code; anything else is a bug and keeps its stack.
    if (error instanceof BuildError || error instanceof SiteFolderError)
      throw Object.assign(new Error(`build failed [${error.code}]: ${error.message}`), {
        hint: (error as { hint?: string }).hint,
      });
    if (error instanceof UsageError) throw error;
    throw new Error(
      `build failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
});
