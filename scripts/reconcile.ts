// `npm run reconcile [-- --json] [-- --store sqlite:<path>]`: what needs a person's attention in
// the confirmation endpoint's store: purchases paid but not finalized, refunds pending or failed,
// dead letters. Reads the store only; changes nothing. Results on stdout, problems on stderr.

import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_STORE_URL, describeStore, parseStoreUrl } from "../confirmation-endpoint/config";
import { reportToJson, reportToText } from "../confirmation-endpoint/reconcile/format-report";
import { openStore } from "../confirmation-endpoint/store/open-store";

const HELP = `Usage: npm run reconcile [-- --json] [-- --store sqlite:<path>]

Lists, from the confirmation endpoint's store:
  - purchases paid but not finalized (marked PAST DEADLINE once the purchase's deadline is over)
  - refunds requested, pending at the provider, or failed
  - dead letters (refund failures, unknown purchases, mismatches, rejections) awaiting a person

Options:
  --json            print one JSON object instead of tables
  --store <url>     the store to read (default: STORE_URL, else sqlite:./data/gateway.sqlite)
  --help            show this text

Read-only: it changes nothing. Exit code 0 when the report was printed, 1 on a problem.
`;

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  let values: { json?: boolean; store?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { json: { type: "boolean" }, store: { type: "string" }, help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\nRun with --help for usage.`);
    return;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const store = parseStoreUrl(
    values.store ?? (process.env.STORE_URL?.trim() || DEFAULT_STORE_URL),
    process.env,
  );
  if ("problem" in store) {
    fail(
      `${values.store !== undefined ? "--store" : "STORE_URL"}: ${store.problem}. Pass --store sqlite:<path> or postgres://….`,
    );
    return;
  }
  if (store.kind === "sqlite" && !existsSync(store.path)) {
    fail(
      `No store at ${store.path}: the endpoint has not run with this STORE_URL yet, or the path is wrong. Pass --store sqlite:<path>.`,
    );
    return;
  }
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

main().catch((error: unknown) => fail(`reconcile failed: ${(error as Error).message}`));
