// `npm run build [-- --site <dir>] [options]`: site-independent output in dist/, and with --site the
// kit's records written into a pac site folder. Progress goes to stderr, results to stdout.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SiteFolderError } from "../power-pages";
import { formatCspDirectives } from "./build/csp-hashes";
import { BuildError } from "./build/errors";
import { collectKnownSecrets } from "./build/known-secrets";
import { runBuild } from "./build/run-build";

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
  --help                show this text

Nothing is written when anything is wrong; the exit code is then 1.`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        site: { type: "string" },
        name: { type: "string" },
        "partial-url": { type: "string" },
        "endpoint-url": { type: "string" },
        config: { type: "string" },
        out: { type: "string" },
        force: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun \`npm run build -- --help\` for the options.\n`);
    process.exitCode = 1;
    return;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  for (const key of ["site", "name", "partial-url", "endpoint-url", "config", "out"] as const) {
    if (args[key] !== undefined && args[key].trim() === "") {
      process.stderr.write(`--${key} is empty. Give it a value, or leave the option out.\n`);
      process.exitCode = 1;
      return;
    }
  }

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
  process.stdout.write(`CSP: ${formatCspDirectives(report.csp)}\n`);
  if (result.overlay) {
    for (const warning of result.overlay.warnings) log(`warning: ${warning}`);
    process.stdout.write(
      `${result.overlay.changed.length === 0 ? "Unchanged" : `Wrote ${result.overlay.changed.length} file(s)`}: ${result.overlay.siteRoot}\n` +
        `Gateway page: ${result.overlay.url} (web page ${result.overlay.ids.webPage})\n`,
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof BuildError || error instanceof SiteFolderError) {
    process.stderr.write(`Build failed [${error.code}]: ${error.message}\n`);
  } else {
    process.stderr.write(
      `Build failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exitCode = 1;
});
