// What every admin command does at its edge: parse options with node's parseArgs, answer --help,
// and turn an error into "message + hint" on stderr with exit code 1.
import { KitError } from "../../common/kit-error";
import { isGuid } from "../../common/guid";
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends KitError {
  readonly code = "USAGE";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The parsed options, or null once `usage` has been printed for --help. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  usage: string,
) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    return null;
  }
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

/** Runs a command's main function and maps failures to stderr + exit code 1. */
export async function runCommand(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const err = error as Error & { hint?: string; cause?: unknown };
    process.stderr.write(`\nError: ${err.message}\n`);
    if (err.hint) process.stderr.write(`Fix: ${err.hint}\n`);
    process.exitCode = 1;
  }
}
