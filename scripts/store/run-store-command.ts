// The store command's body, apart from the process: `migrate` brings a PostgreSQL schema up to this
// release (before a rolling deploy), `copy` moves a store into an empty PostgreSQL database. Results
// on `out` (text, or one JSON object with --json), progress and problems on `err`; a store URL is
// never printed, only its host and database.

import { KitError } from "../../common/kit-error";
import { parseArgs } from "node:util";
import { isKitError } from "../../common/kit-error";
import { COMMON_OPTIONS, UsageError, formProblems, helpPointer, loadEnvFile } from "../lib/cli";
import { copyStore } from "../../confirmation-endpoint/store/copy-store";
import { migrateStore } from "../../confirmation-endpoint/store/migrate-store";
import { describeStore, parseStoreUrl } from "../../confirmation-endpoint/store/store-url";
import type { PostgresStoreConfig, StoreConfig, StoreEnv } from "../../confirmation-endpoint/store/store-url";

export const STORE_HELP = `Usage: npm run store -- <command> [options]

Commands:
  migrate --to <postgres-url>
      Bring the PostgreSQL store's schema up to this release. Run it before a rolling deploy:
      instances of the previous release keep running on the migrated schema.
  copy --from <store-url> --to <postgres-url> [--replace]
      Move every table (open purchases, open checkouts, pending jobs, refunds, dead letters, seen
      webhook events) into PostgreSQL, in one transaction. Stop every endpoint instance first.
      A target that already holds rows is refused; --replace empties it first.

Options:
  --json             print the result as one JSON object
  --env-file <file>  read environment variables (PGPASSWORD…) from <file> first (its values win)
  --help             show this text

Store URLs: sqlite:<path> or postgres://user[:password]@host[:port]/database. PGSSLMODE,
PGSSLROOTCERT and PGPASSWORD are honoured as for the endpoint. URLs are never printed.
Exit code 0 on success, 1 on a problem.
`;

export interface StoreCommandIo {
  env: StoreEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

class UsageProblem extends KitError {
  readonly code = "USAGE";
}

function readStore(flag: string, value: string | undefined, env: StoreEnv): StoreConfig {
  if (value === undefined) throw new UsageProblem(`${flag} is required.`);
  const config = parseStoreUrl(value, env);
  if ("problem" in config) throw new UsageProblem(`${flag}: ${config.problem}`);
  return config;
}

function readPostgres(flag: string, value: string | undefined, env: StoreEnv): PostgresStoreConfig {
  const config = readStore(flag, value, env);
  if (config.kind !== "postgres") throw new UsageProblem(`${flag} must be a postgres:// URL.`);
  return config;
}

/** Run `npm run store -- …` with `argv` (the words after `--`); resolves to the exit code. */
export async function runStoreCommand(argv: string[], io: StoreCommandIo): Promise<number> {
  try {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.out(STORE_HELP);
      return 0;
    }
    const options = {
      from: { type: "string" },
      to: { type: "string" },
      replace: { type: "boolean" },
      json: { type: "boolean" },
      ...COMMON_OPTIONS,
    } as const;
    const form = formProblems(argv, options, "npm run store");
    if (form.length > 0) throw new UsageProblem(form.join("\n"));
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (values["env-file"] !== undefined) loadEnvFile(values["env-file"], io.env, io.err);
    const [command, ...extra] = positionals;
    if (extra.length > 0) throw new UsageProblem(`unexpected argument(s): ${extra.join(" ")}`);
    const progress = (line: string) => io.err(`${line}\n`);
    if (command === "migrate") {
      const to = readPostgres("--to", values.to, io.env);
      progress(`migrating ${describeStore(to)}`);
      const result = await migrateStore(to);
      io.out(
        values.json
          ? `${JSON.stringify({ store: describeStore(to), ...result })}\n`
          : `schema version ${result.version}; applied now: ${result.applied.join(", ") || "none"}\n`,
      );
      return 0;
    }
    if (command === "copy") {
      const from = readStore("--from", values.from, io.env);
      const to = readPostgres("--to", values.to, io.env);
      const copied = await copyStore(from, to, { replace: values.replace === true, progress });
      io.out(
        values.json
          ? `${JSON.stringify({ from: describeStore(from), to: describeStore(to), copied })}\n`
          : Object.entries(copied)
              .map(([table, n]) => `${table}: ${n}\n`)
              .join(""),
      );
      return 0;
    }
    throw new UsageProblem(command ? `unknown command "${command}"` : "name a command: migrate or copy");
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: StoreCommandIo): number {
  if (error instanceof UsageProblem || error instanceof UsageError) {
    io.err(`Error: ${(error as Error).message}\n${helpPointer("npm run store")}\n`);
    return 1;
  }
  io.err(`Error: ${(error as Error).message}\n`);
  if (isKitError(error) && error.hint) io.err(`Fix: ${error.hint}\n`);
  return 1;
}
