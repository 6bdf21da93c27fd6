// `npm run doctor -- [--endpoint-url <url>] [--portal-url <url>]`: checks an org and the endpoint
// and prints a table of pass / warn / fail with the fix for each. Exit code 1 when anything fails.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkPayPalFromEnv } from "../confirmation-endpoint/providers/paypal/check-setup";
import { loadDefinitions } from "./build/definitions";
import { checkHttpUrl, checkNotEmpty, parseCommandLine, runCommand, throwProblems } from "./lib/cli";
import { connectDataverse, dataverseSettingsFromEnv } from "./lib/dataverse-env";
import { formatTable, marginsFromEnv, runDoctor } from "./organizer/doctor-checks";
import { checkAdyenFromEnv } from "../confirmation-endpoint/providers/adyen/check-account";

const USAGE = `Usage: npm run doctor -- [--endpoint-url <url>] [--portal-url <url>] [--partial-url <text>] [--json]

Checks, with the Dataverse connection the endpoint uses (DATAVERSE_* variables):
  sign-in; the event-management actions; that the app user may call finalize (the
  "Finalize RegistrationService" role); the gateway web page (and that the portal serves it);
  the endpoint's /healthz and its CORS answer for the portal; events that use the gateway but have
  no pass; demo payment confirmation; clock skew against Dataverse; each payment provider's
  "Payment timeout (minutes)" against DEADLINE_MARGIN_MINUTES, FINALIZE_BUDGET_MINUTES and
  MIN_PAY_WINDOW_MINUTES (read from the same environment). With PAYMENT_PROVIDER=paypal: the PayPal
  credentials and that PAYPAL_WEBHOOK_ID names a webhook of that app.

Options:
  --endpoint-url <url>  the confirmation endpoint (the PaymentGateway/EndpointUrl site setting)
  --portal-url <url>    https://<portal host>
  --partial-url <text>  the gateway page's partial URL (default: PARTIAL_URL, from
                        portal-templates/definitions.yml)
  --json                the results as JSON on stdout
  --env-file <file>     read environment variables from <file> first (its values win), e.g. the
                        sandbox's <data folder>/sandbox.env
  --help                this text`;

async function main(): Promise<void> {
  const { definitions } = loadDefinitions(
    join(fileURLToPath(new URL("..", import.meta.url)), "portal-templates", "definitions.yml"),
  );
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      "endpoint-url": { type: "string" },
      "portal-url": { type: "string" },
      "partial-url": { type: "string" },
      json: { type: "boolean", default: false },
    },
    USAGE.replace("PARTIAL_URL", definitions.webPage.partialUrl),
    { positionals: false },
  );
  if (!parsed) return;
  const { values } = parsed;
  const problems: string[] = [];
  checkHttpUrl("--endpoint-url", values["endpoint-url"], problems);
  checkHttpUrl("--portal-url", values["portal-url"], problems);
  checkNotEmpty({ "partial-url": values["partial-url"] }, problems);
  throwProblems(problems);
  const client = connectDataverse(dataverseSettingsFromEnv(process.env), { maxAttempts: 2 });
  try {
    const results = await runDoctor(client, {
      partialUrl: values["partial-url"] ?? definitions.webPage.partialUrl,
      endpointUrl: values["endpoint-url"],
      portalUrl: values["portal-url"],
      now: Date.now,
      fetch,
      margins: marginsFromEnv(process.env),
      providerChecks: () => checkAdyenFromEnv(process.env),
    });
    // PAYMENT_PROVIDER=paypal: credentials and webhook id (confirmation-endpoint/providers/paypal/check-setup.ts).
    if (process.env.PAYMENT_PROVIDER === "paypal") results.push(...(await checkPayPalFromEnv(process.env)));
    if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else for (const line of formatTable(results)) process.stdout.write(`${line}\n`);
    if (results.some((r) => r.status === "fail")) process.exitCode = 1;
  } finally {
    client.close();
  }
}

await runCommand(main);
