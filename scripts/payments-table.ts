// `npm run payments-table -- create [--dry-run] [--json] [--env-file <file>] [--prefix <p>] [--solution <name>]`:
// creates the Dataverse payments table (issue 19) through the metadata Web API, idempotently.
import { ensurePaymentsTable, type TableStep } from "../confirmation-endpoint/payments-table/create-table";
import {
  checkPrefix,
  DEFAULT_PREFIX,
  paymentsTableNames,
} from "../confirmation-endpoint/payments-table/definition";
import { UsageError, parseCommandLine, runCommand } from "./lib/cli";
import { connectDataverse, dataverseSettingsFromEnv } from "./lib/dataverse-env";

const USAGE = `Usage: npm run payments-table -- create [options]

Creates the payments table in Dataverse through the metadata Web API: the table, its columns, the
lookup to the event purchase and the alternate key on the provider payment id. Each part is read
first and created only when missing, so running it again is safe and finishes a run that stopped.

Options:
  --dry-run            read what exists and print what would be created; write nothing
  --json               print the result as JSON
  --prefix <p>         publisher customization prefix (default PAYMENTS_TABLE_PREFIX, else ${DEFAULT_PREFIX})
  --solution <name>    unique name of an unmanaged solution the new parts join
  --env-file <file>    read the environment from <file> first (KEY=value lines; its values win)
  --help               show this text

Dataverse connection from DATAVERSE_URL, DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID and a secret or
certificate, as for the endpoint. The application user needs the System Customizer role (or
privileges to create tables) for this command only; the endpoint's upserts need create, read and
write on the new table. Then set PAYMENTS_TABLE=on for the endpoint.`;

function describeStep(step: TableStep): string {
  return `  ${step.action.padEnd(12)} ${step.part.padEnd(6)} ${step.name}`;
}

async function main(): Promise<void> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      prefix: { type: "string" },
      solution: { type: "string" },
    },
    USAGE,
  );
  if (!parsed) return;
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== "create")
    throw new UsageError(`Say what to do: create.`);
  const prefix = (values.prefix ?? process.env.PAYMENTS_TABLE_PREFIX ?? DEFAULT_PREFIX).trim();
  const problem = checkPrefix(prefix);
  if (problem) throw new UsageError(`--prefix (or PAYMENTS_TABLE_PREFIX) ${problem}.`);
  const solution = values.solution?.trim();
  if (solution !== undefined && !/^[A-Za-z0-9_]+$/.test(solution))
    throw new UsageError("--solution must be a solution's unique name (letters, digits, _).");

  const json = values.json;
  const client = connectDataverse(dataverseSettingsFromEnv(process.env), { timeoutMs: 120_000 });
  try {
    const result = await ensurePaymentsTable(client, {
      names: paymentsTableNames(prefix),
      dryRun: values["dry-run"],
      solution: solution ?? null,
      ...(json ? {} : { onStep: (step: TableStep) => process.stdout.write(`${describeStep(step)}\n`) }),
    });
    if (json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const created = result.steps.filter((s) => s.action === "created").length;
    const missing = result.steps.filter((s) => s.action === "would create").length;
    if (result.dryRun)
      process.stdout.write(`Dry run: ${missing} part(s) would be created; nothing was written.\n`);
    else
      process.stdout.write(
        `Table ${result.table} (entity set ${result.entitySet}): ${created} part(s) created.\n`,
      );
    if (result.keyStatus && result.keyStatus !== "Active")
      process.stdout.write(
        `The alternate key is ${result.keyStatus}: Dataverse builds its index in the background; upserts wait until it is Active.\n`,
      );
  } finally {
    client.close();
  }
}

await runCommand(main);
