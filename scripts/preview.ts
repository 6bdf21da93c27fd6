// `npm run preview -- --site <dir> [--port N] [--user <contact id or name>] [--language fr-FR] [--fixtures <file>]`
// Serves a pac site folder on 127.0.0.1 through the Power Pages Liquid emulation until Ctrl+C.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { PortalFixtures } from "../portal-emulator/fixtures";
import { defaultFixtures, parseFixtures } from "../portal-emulator/fixtures";
import { createPreviewServer } from "../portal-emulator/preview-server";
import { parseCommandLine, reportError, throwProblems } from "./lib/cli";

const usage = `Usage: npm run preview -- --site <dir> [--port N] [--user <contact id or name>] [--language <code>] [--fixtures <file>]

Serves the pac site folder <dir> (the folder holding website.yml, or its parent) on 127.0.0.1
through the Power Pages Liquid emulation. Templates reload when files change.

  --site <dir>        pac site folder (required)
  --port <N>          port to listen on (default 0: any free port)
  --user <id|name>    sign in as this fixture contact (default: anonymous)
  --language <code>   language for URLs without a /<code>/ prefix (default: the website's default)
  --fixtures <file>   JSON or YAML with { contacts, rows, entitySets } (default: two sample contacts)
  --env-file <file>   read environment variables from <file> first (its values win)
  --help              this text
`;

function fail(message: string): never {
  reportError(new Error(message), (text) => void process.stderr.write(text));
  process.exit(1);
}

function readOptions() {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      site: { type: "string" },
      port: { type: "string" },
      user: { type: "string" },
      language: { type: "string" },
      fixtures: { type: "string" },
    },
    usage,
    { positionals: false },
  );
  if (!parsed) process.exit(0);
  const { values } = parsed;
  const problems: string[] = [];
  if (values.site === undefined || values.site === "")
    problems.push("--site <dir> is required: pass the pac site folder to serve.");
  const portText = values.port;
  const port = portText === undefined ? 0 : /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    problems.push(`--port must be a whole number from 0 to 65535, got "${String(portText)}".`);
  if (values.language !== undefined && !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(values.language))
    problems.push(`--language must be a language code such as en-US or fr-FR, got "${values.language}".`);
  throwProblems(problems);
  return { ...values, port };
}

let values: ReturnType<typeof readOptions>;
try {
  values = readOptions();
} catch (error) {
  reportError(error, (text) => void process.stderr.write(text));
  process.exit(1);
}
const { site, port, language } = values;

let fixtures: PortalFixtures = defaultFixtures;
const fixturesFile = values.fixtures;
if (typeof fixturesFile === "string") {
  let parsed: unknown;
  try {
    const text = readFileSync(fixturesFile, "utf8");
    parsed = fixturesFile.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    fail(`cannot read fixtures ${fixturesFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    fixtures = parseFixtures(parsed, fixturesFile);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

try {
  const server = await createPreviewServer({
    siteDir: site as string,
    port,
    host: "127.0.0.1",
    fixtures,
    ...(typeof values.user === "string" ? { user: values.user } : {}),
    ...(typeof language === "string" ? { language } : {}),
    log: (message) => process.stderr.write(`${message}\n`),
  });
  process.stderr.write(`Previewing ${site as string} (Ctrl+C to stop). Pages:\n`);
  for (const url of server.pageUrls()) process.stdout.write(`${url}\n`);
  process.stdout.write(
    `${server.url}/_layout/tokenhtml\n${server.url}/_preview/shell.js\n${server.url}/_api/\n`,
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  const code =
    error instanceof Error && "code" in error ? ` [${String((error as { code: unknown }).code)}]` : "";
  fail(`${error instanceof Error ? error.message : String(error)}${code}`);
}
