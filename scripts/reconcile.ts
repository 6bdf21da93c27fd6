// `npm run reconcile [-- --json] [-- --store sqlite:<path>]`: what needs a person's attention in
// the confirmation endpoint's store: purchases paid but not finalized, refunds pending or failed,
// dead letters. Reads the store only; changes nothing. Results on stdout, problems on stderr.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_STORE_URL, describeStore, parseStoreUrl } from "../confirmation-endpoint/config";
import { reportToJson, reportToText } from "../confirmation-endpoint/reconcile/format-report";
import { openStore } from "../confirmation-endpoint/store/open-store";
import { UsageError, parseCommandLine, runCommand } from "./lib/cli";

const HELP = `Usage: npm run reconcile [-- --json] [-- --store sqlite:<path>]

Lists, from the confirmation endpoint's store:
  - purchases paid but not finalized (marked PAST DEADLINE once the purchase's deadline is over)
  - refunds requested, pending at the provider, or failed
  - dead letters (refund failures, unknown purchases, mismatches, rejections) awaiting a person

Options:
  --json             print one JSON object instead of tables
  --store <url>      the store to read (default: STORE_URL, else sqlite:./data/gateway.sqlite, else
                     the sandbox's data/sandbox/endpoint.sqlite when only that one exists)
  --env-file <file>  read environment variables (STORE_URL…) from <file> first, e.g. the sandbox's
                     <data folder>/sandbox.env
  --help             show this text

Read-only: it changes nothing. Exit code 0 when the report was printed, 1 on a problem.
`;

const SANDBOX_STORE = join(
  fileURLToPath(new URL("..", import.meta.url)),
  "data",
  "sandbox",
  "endpoint.sqlite",
);

/** The store to read: --store, STORE_URL, the default, or the sandbox's when only that one exists. */
function chooseStoreUrl(flag: string | undefined): string {
  if (flag !== undefined) return flag;
  const fromEnv = process.env.STORE_URL?.trim();
  if (fromEnv) return fromEnv;
  const fallback = parseStoreUrl(DEFAULT_STORE_URL, process.env);
  if ("path" in fallback && !existsSync(fallback.path) && existsSync(SANDBOX_STORE)) {
    process.stderr.write(`no ${DEFAULT_STORE_URL}: reading the sandbox's store instead\n`);
    return `sqlite:${SANDBOX_STORE}`;
  }
  return DEFAULT_STORE_URL;
}

async function main(): Promise<void> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    { json: { type: "boolean" }, store: { type: "string" } },
    HELP,
    { positionals: false },
  );
  if (!parsed) return;
  const { values } = parsed;
  const store = parseStoreUrl(chooseStoreUrl(values.store), process.env);
  if ("problem" in store)
    throw new UsageError(
      `${values.store !== undefined ? "--store" : "STORE_URL"}: ${store.problem}. Pass --store sqlite:<path> or postgres://….`,
    );
  if (store.kind === "sqlite" && !existsSync(store.path))
    throw new UsageError(
      `No store at ${store.path}: the endpoint has not run with this STORE_URL yet, or the path is wrong. Pass --store sqlite:<path>, or --env-file <data folder>/sandbox.env for a sandbox.`,
    );
  process.stderr.write(`reading ${describeStore(store)}\n`);
  const opened = openStore(store);
  try {
    const now = Date.now();
    const report = await opened.reconcileReport(now);
    process.stdout.write(
      values.json ? `${JSON.stringify(reportToJson(report, now), null, 2)}\n` : reportToText(report, now),
    );
  } finally {
    await opened.close();
  }
}

await runCommand(main);
