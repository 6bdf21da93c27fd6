// `npm run reconcile -- --since 7d [--json | --csv] [--fix]`: the period's payments at each
// provider (this deployment's), the purchases the store knows and what Dataverse says of each, one
// verdict per line; exit 0 only when every line is settled, so a scheduler can alert on it.
// `--store-only`: the store's own report (paid not finalized, open refunds, dead letters).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_STORE_URL, describeStore, parseStoreUrl } from "../confirmation-endpoint/config";
import { openStore } from "../confirmation-endpoint/store/open-store";
import { fixLines } from "../confirmation-endpoint/reconcile/fix-lines";
import { reportToJson, reportToText } from "../confirmation-endpoint/reconcile/format-report";
import {
  threeWayToCsv,
  threeWayToJson,
  threeWayToText,
} from "../confirmation-endpoint/reconcile/format-three-way";
import { reconcileThreeWay } from "../confirmation-endpoint/reconcile/three-way";
import { parseCommandLine, runCommand, UsageError } from "./lib/cli";
import { endpointConfig, openEndpointParts } from "./lib/endpoint-parts";

const USAGE = `Usage: npm run reconcile -- [--since 7d] [--json | --csv] [--fix] [--env-file <file>] [--store <url>]
       npm run reconcile -- --store-only [--json] [--store <url>]

For the period, lists every payment at the providers that carries this deployment's id, every
purchase the store knows, and what Dataverse says of each, with one verdict per line:
  settled | paid, not registered | registered, not paid | refunded but registered |
  amount differs | unknown to the store

Options:
  --since <period>   7d, 36h, 90m or an ISO date (default 7d)
  --json             one JSON object;  --csv  one CSV row per line
  --fix              replay what is safe (store a missed payment for the worker, queue a finalize
                     still in time) and list what needs a person
  --env-file <file>  read the endpoint's variables from <file> first (its values win), e.g. the
                     sandbox's <data folder>/sandbox.env
  --store <url>      the store (default: STORE_URL)
  --store-only       only the store's own report (paid not finalized, open refunds, dead letters)
  --help             show this text

Exit code: 0 when every line is settled, 1 otherwise or on a problem (schedule it and alert on 1).
Stripe is listed through its API; Adyen and PayPal have no listing the kit uses, so their payments
are seen through the store (see docs/finance.md).`;

function parseSince(text: string, now: number): number {
  const m = /^(\d+)([dhm])$/.exec(text.trim());
  if (m) return now - Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as "d" | "h" | "m"];
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}/.test(text))
    throw new UsageError(`--since: "${text}" is neither a period (7d, 36h, 90m) nor an ISO date.`);
  return at;
}

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

/** The store's own report: needs only the store (STORE_URL or --store), not the endpoint's environment. */
async function storeOnly(json: boolean, storeUrl: string | undefined): Promise<void> {
  const store = parseStoreUrl(chooseStoreUrl(storeUrl), process.env);
  if ("problem" in store)
    throw new UsageError(
      `${storeUrl !== undefined ? "--store" : "STORE_URL"}: ${store.problem}. Pass --store sqlite:<path> or postgres://….`,
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
      json ? `${JSON.stringify(reportToJson(report, now), null, 2)}\n` : reportToText(report, now),
    );
  } finally {
    await opened.close();
  }
}

async function main(): Promise<void> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      since: { type: "string" },
      json: { type: "boolean" },
      csv: { type: "boolean" },
      fix: { type: "boolean" },
      store: { type: "string" },
      "store-only": { type: "boolean" },
    },
    USAGE,
  );
  if (!parsed) return;
  const v = parsed.values;
  if (v.json && v.csv) throw new UsageError("Give --json or --csv, not both.");
  if (v["store-only"]) return storeOnly(v.json === true, v.store);
  const now = Date.now();
  const since = parseSince(v.since ?? "7d", now);
  const parts = openEndpointParts(endpointConfig(process.env, v.store));
  try {
    const { lines, sources } = await reconcileThreeWay(parts, since);
    const fixes = v.fix ? await fixLines(parts, lines) : null;
    if (v.json)
      process.stdout.write(`${JSON.stringify(threeWayToJson(lines, sources, now, fixes), null, 2)}\n`);
    else if (v.csv) process.stdout.write(threeWayToCsv(lines));
    else process.stdout.write(threeWayToText(lines, sources, fixes));
    if (lines.some((l) => l.verdict !== "settled")) process.exitCode = 1;
  } finally {
    await parts.close();
  }
}

void runCommand(main);
