// What every command does at its edge, the same way everywhere: read the options (node's parseArgs,
// checked token by token so every problem is reported at once, in our words), answer --help, load
// --env-file, and turn an error into "Error: …" plus one line pointing to --help (a usage problem)
// or a "Fix:" line (anything else) on stderr, with exit code 1. Commands that print a result take
// --json; the usage text is printed only when asked for.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs, parseEnv, type ParseArgsConfig } from "node:util";
import { KitError } from "../../common/kit-error";
import { isGuid } from "../../common/guid";

export class UsageError extends KitError {
  readonly code = "USAGE";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The options every command takes besides its own. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  "env-file": { type: "string" },
} as const satisfies Options;

/** How a command is called ("npm run doctor"), read from its usage text; used in every pointer to --help. */
let currentCommand = "this command";

export function commandNameOf(usage: string): string {
  return (
    /^Usage:\s+(npm (?:run )?[\w-]+|npm start|npx tsx [\w/.-]+)/.exec(usage.trim())?.[1] ?? "this command"
  );
}

/** The line that follows every usage problem. */
export function helpPointer(command: string = currentCommand): string {
  // npm needs "--" before the command's own options; a direct call does not.
  return `Run \`${command}${command.startsWith("npm ") ? " --" : ""} --help\` for the options.`;
}

/** Throws one UsageError listing every problem, when there is any. */
export function throwProblems(problems: string[]): void {
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
}

/** The closest known option to a mistyped one (edit distance ≤ 2), for "did you mean". */
function closest(name: string, known: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length]!;
  };
  const best = known
    .map((k) => ({ k, d: distance(name, k) }))
    .sort((x, y) => x.d - y.d)
    .find((x) => x.d <= 2 && x.d < name.length);
  return best?.k;
}

export interface CommandLineConfig {
  /** Words that are not options: allowed (default) or refused. */
  positionals?: boolean;
}

/** Every problem of the command line's form: unknown options, missing values, values given to switches. */
export function formProblems(
  argv: string[],
  options: Options,
  command: string,
  config: CommandLineConfig = {},
): string[] {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  const problems: string[] = [];
  const known = Object.keys(options).filter((k) => k !== "help");
  for (const token of tokens) {
    if (token.kind === "positional" && config.positionals === false)
      problems.push(`"${token.value}" is not an option: ${command} takes options only (they start with --).`);
    if (token.kind !== "option") continue;
    const spec = options[token.name];
    if (!spec) {
      const guess = closest(token.name, known);
      problems.push(
        `${token.rawName} is not an option of ${command}${guess ? `; did you mean --${guess}?` : "."}`,
      );
    } else if (spec.type === "string" && (token.value === undefined || token.value.startsWith("--")))
      problems.push(`${token.rawName} needs a value, e.g. ${token.rawName} <value>.`);
    else if (spec.type === "boolean" && token.value !== undefined)
      problems.push(`${token.rawName} is a switch and takes no value (got "${token.value}").`);
  }
  return problems;
}

/**
 * Reads `--env-file <file>` into process.env (the file's values win over the shell's: the option
 * is an explicit choice). Prints how many variables it read, never their values.
 */
export function loadEnvFile(
  file: string,
  env: Record<string, string | undefined> = process.env,
  note: (line: string) => void = (line) => void process.stderr.write(line),
): number {
  const path = resolve(file);
  if (!existsSync(path))
    throw new UsageError(
      `--env-file ${file}: no such file. The sandbox writes one at <data folder>/sandbox.env while it runs.`,
    );
  const values = parseEnv(readFileSync(path, "utf8"));
  for (const [key, value] of Object.entries(values)) env[key] = value;
  note(`read ${Object.keys(values).length} variable(s) from ${path}\n`);
  return Object.keys(values).length;
}

/**
 * The parsed options (with --help and --env-file on every command), or null once `usage` has been
 * printed for --help. Every problem of the command line's form is thrown at once as a UsageError.
 */
export function parseCommandLine<T extends Options>(
  argv: string[],
  options: T,
  usage: string,
  config: CommandLineConfig = {},
) {
  currentCommand = commandNameOf(usage);
  const all = { ...options, ...COMMON_OPTIONS };
  const help = argv.includes("--help") || argv.includes("-h");
  if (help) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    return null;
  }
  throwProblems(formProblems(argv, all, currentCommand, config));
  const parsed = parseArgs({
    args: argv,
    options: all,
    allowPositionals: config.positionals !== false,
    strict: true,
  });
  const envFile = (parsed.values as { "env-file"?: string })["env-file"];
  if (envFile !== undefined) loadEnvFile(envFile);
  return parsed;
}

/** Adds a problem when `value` is not a GUID; `missing` is the message when it is required and absent. */
export function checkGuid(
  flag: string,
  value: string | undefined,
  problems: string[],
  missing?: string,
): void {
  if (value === undefined || value === "") {
    if (missing) problems.push(missing);
  } else if (!isGuid(value)) problems.push(`${flag} must be a GUID, got "${value}".`);
}

/** Adds a problem when `value` is given but is not a portal origin. */
export function checkPortalUrl(value: string | undefined, problems: string[]): void {
  if (value !== undefined && !/^https?:\/\/[^/]+\/?$/i.test(value))
    problems.push("--portal-url must be the portal's origin, e.g. https://contoso.powerappsportals.com.");
}

/** Adds a problem when `value` is given but is not an http(s) URL. */
export function checkHttpUrl(flag: string, value: string | undefined, problems: string[]): void {
  if (value !== undefined && !/^https?:\/\/[^\s/]+/i.test(value))
    problems.push(`${flag} must be an http(s) URL, got "${value}".`);
}

/** Adds a problem for each given option whose value is empty or blank. */
export function checkNotEmpty(values: Record<string, unknown>, problems: string[]): void {
  for (const [key, value] of Object.entries(values))
    if (typeof value === "string" && value.trim() === "")
      problems.push(`--${key} is empty: give it a value, or leave the option out.`);
}

/** Writes an error as the command line shows it: the message, then --help pointer or the fix. */
export function reportError(error: unknown, write: (text: string) => void): void {
  const err = error as Error & { hint?: string };
  write(`Error: ${err instanceof Error ? err.message : String(error)}\n`);
  if (err instanceof UsageError) write(`${helpPointer()}\n`);
  else if (err.hint) write(`Fix: ${err.hint}\n`);
}

/** Runs a command's main function and maps failures to stderr + exit code 1. */
export async function runCommand(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (error) {
    reportError(error, (text) => void process.stderr.write(text));
    process.exitCode = 1;
  }
}
