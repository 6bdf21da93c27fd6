// What every admin command does at its edge: parse options with node's parseArgs, answer --help,
// and turn an error into "message + hint" on stderr with exit code 1.
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {
  readonly code = "USAGE";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return parsed;
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
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
