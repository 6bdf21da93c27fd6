// Runs the Dataverse stand-in on its own: `tsx sandbox/dataverse/main.ts --help`.
// Prints the environment lines the endpoint and scripts need (stdout), progress to stderr, and
// stops cleanly on Ctrl-C.
import { parseArgs } from "node:util";
import { startDataverseStandIn, type ApplicationUserOption } from "./start-dataverse-stand-in";

const usage = `Usage: tsx sandbox/dataverse/main.ts [options]

Starts the Dataverse stand-in (token endpoint + event-management Web API) on 127.0.0.1.

Options:
  --port <n>          listen port (default 0: a free one)
  --db <path>         SQLite file to keep state across restarts (default: in memory)
  --portal-url <url>  portal origin the registration route redirects to (default: relative URLs)
  --no-seed           start empty instead of with the sandbox events, passes and contacts
  --time-scale <n>    run service-protection windows n times faster (default 1)
  --help              this text

Credentials: DATAVERSE_CLIENT_ID and DATAVERSE_CLIENT_SECRET from the environment become the
application user when both are set; otherwise one is generated (a throwaway loopback credential),
and its DATAVERSE_* lines are printed on stdout for the endpoint's .env.`;

function fail(message: string): never {
  process.stderr.write(`${message}\nRun with --help for the options.\n`);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: "string" },
      db: { type: "string" },
      "portal-url": { type: "string" },
      "no-seed": { type: "boolean" },
      "time-scale": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(`Bad arguments: ${(error as Error).message}`);
}
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const problems: string[] = [];
const port = args.port === undefined ? 0 : Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  problems.push(`--port must be an integer 0-65535, got '${args.port}'.`);
const timeScale = args["time-scale"] === undefined ? 1 : Number(args["time-scale"]);
if (!(timeScale > 0)) problems.push(`--time-scale must be a positive number, got '${args["time-scale"]}'.`);
const portalUrl = args["portal-url"] ?? "";
if (portalUrl && !/^https?:\/\/[^/]+$/.test(portalUrl))
  problems.push(`--portal-url must be an origin such as http://127.0.0.1:8080, got '${portalUrl}'.`);
const envId = process.env.DATAVERSE_CLIENT_ID;
const envSecret = process.env.DATAVERSE_CLIENT_SECRET;
if (Boolean(envId) !== Boolean(envSecret))
  problems.push("Set both DATAVERSE_CLIENT_ID and DATAVERSE_CLIENT_SECRET, or neither.");
if (problems.length) fail(problems.join("\n"));

const users: ApplicationUserOption[] | undefined =
  envId && envSecret ? [{ clientId: envId, clientSecret: envSecret }] : undefined;
const standIn = await startDataverseStandIn({
  port,
  dbPath: args.db,
  applicationUsers: users,
  limits: { timeScale },
  knobs: { portalUrl },
  log: (entry) => process.stderr.write(`${JSON.stringify(entry)}\n`),
}).catch((error: unknown) => fail(`Could not start the Dataverse stand-in: ${(error as Error).message}`));
if (!args["no-seed"]) standIn.seed();
process.stderr.write(
  `Dataverse stand-in listening at ${standIn.url} (Web API ${standIn.url}/api/data/v9.2/)\n`,
);
const lines = [
  `DATAVERSE_URL=${standIn.url}`,
  `DATAVERSE_AUTHORITY_HOST=${standIn.authorityHost}`,
  `DATAVERSE_TENANT_ID=${standIn.tenantId}`,
  `DATAVERSE_CLIENT_ID=${standIn.clientId}`,
];
if (!users) lines.push(`DATAVERSE_CLIENT_SECRET=${standIn.clientSecret}`);
process.stdout.write(`${lines.join("\n")}\n`);

const stop = () => {
  process.stderr.write("Stopping the Dataverse stand-in.\n");
  void standIn.close().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
