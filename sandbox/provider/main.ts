// Runs the payment provider stand-in on its own: `tsx sandbox/provider/main.ts [options]`.
// The webhook signing secret comes from the environment (STRIPE_WEBHOOK_SECRETS, first entry: the
// same variable the endpoint verifies with). Prints the URLs as one JSON line on stdout; logs go to stderr.
import { parseArgs } from "node:util";
import { startProviderStandIn, ProviderStandInError } from "./start-provider-stand-in";
import type { ProviderLog } from "./provider-log";

const HELP = `Usage: tsx sandbox/provider/main.ts [options]

Starts the Stripe-compatible payment provider stand-in on 127.0.0.1: the API subset the kit's
Stripe adapter calls, a hosted checkout page (Pay / Decline / Cancel), signed webhooks with retries,
and a dashboard. Point the endpoint's STRIPE_API_BASE at the printed apiBase.

Options:
  --port <n>               port to listen on (default 0: any free port, printed)
  --db <file>              SQLite file that keeps the state across restarts (default: in memory)
  --webhook-url <url>      where to POST events, e.g. http://127.0.0.1:7071/v1/webhooks/stripe
  --retry-time-scale <x>   multiply webhook retry waits by x (default 1; 0.01 for fast runs)
  --help                   show this text

Environment:
  STRIPE_WEBHOOK_SECRETS   required; the first comma-separated whsec_… value signs the webhooks
  STRIPE_SECRET_KEY        optional; when it is an sk_test_… key, only that key is accepted

Output: {"url","apiBase","dashboardUrl"} as JSON on stdout. Stop with Ctrl-C.
`;

function fail(message: string): never {
  process.stderr.write(`${message}\nRun with --help for the options.\n`);
  process.exit(1);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string" },
      db: { type: "string" },
      "webhook-url": { type: "string" },
      "retry-time-scale": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail((error as Error).message);
}

if (values.help === true) {
  process.stdout.write(HELP);
  process.exit(0);
}

const problems: string[] = [];
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  problems.push(`--port must be a whole number from 0 to 65535, got ${String(values.port)}.`);
const timeScale = values["retry-time-scale"] === undefined ? 1 : Number(values["retry-time-scale"]);
if (!Number.isFinite(timeScale) || timeScale < 0)
  problems.push(
    `--retry-time-scale must be a number of 0 or more, got ${String(values["retry-time-scale"])}.`,
  );
const secret = (process.env.STRIPE_WEBHOOK_SECRETS ?? "").split(",")[0]?.trim() ?? "";
if (secret === "")
  problems.push(
    "STRIPE_WEBHOOK_SECRETS is not set: export a whsec_… secret (any random string after whsec_ will do locally).",
  );
const apiKey =
  process.env.STRIPE_SECRET_KEY?.startsWith("sk_test_") === true ? process.env.STRIPE_SECRET_KEY : undefined;
if (problems.length > 0) fail(`Cannot start the provider stand-in:\n- ${problems.join("\n- ")}`);

const log: ProviderLog = {
  log(level, message, fields) {
    // An Error has no enumerable fields, so JSON would print {}: log its message instead.
    const line = JSON.stringify(
      { time: new Date().toISOString(), level, msg: message, ...fields },
      (_key, value: unknown) => (value instanceof Error ? value.message : value),
    );
    process.stderr.write(`${line}\n`);
  },
};

try {
  const standIn = await startProviderStandIn({
    port,
    ...(typeof values.db === "string" ? { dbPath: values.db } : {}),
    webhookUrl: typeof values["webhook-url"] === "string" ? values["webhook-url"] : null,
    webhookSecret: secret,
    ...(apiKey === undefined ? {} : { apiKey }),
    webhookRetry: { timeScale },
    log,
  });
  process.stdout.write(
    `${JSON.stringify({ url: standIn.url, apiBase: standIn.apiBase, dashboardUrl: standIn.dashboardUrl })}\n`,
  );
  const stop = (): void => {
    process.stderr.write("Stopping the provider stand-in…\n");
    void standIn.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  if (error instanceof ProviderStandInError) fail(error.message);
  throw error;
}
