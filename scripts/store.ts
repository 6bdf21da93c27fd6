// `npm run store -- migrate|copy …`: PostgreSQL schema migration before a rolling deploy, and the
// move of a SQLite store to PostgreSQL (scripts/store/run-store-command.ts does the work).

import { runStoreCommand } from "./store/run-store-command";

process.exitCode = await runStoreCommand(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
