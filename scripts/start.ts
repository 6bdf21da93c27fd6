// `npm start`: the sandbox. Builds the kit into a copy of the fixture Event Portal site, starts the
// Dataverse and provider stand-ins, the portal and the confirmation endpoint on 127.0.0.1, seeds a
// paid and a free event, prints the URLs on stdout and keeps running until Ctrl-C / SIGTERM.
// State stays under data/sandbox/ (or --data-dir) between runs; --fresh starts over.

import { SANDBOX_PROVIDERS } from "../sandbox/extra-provider";
import { describeOffset } from "../sandbox/sandbox-clock";
import type { SandboxProvider } from "../sandbox/extra-provider";
import { createWriteStream, readFileSync, realpathSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseCommandLine, runCommand, throwProblems } from "./lib/cli";
// The sandbox and the build load only once the options are valid, so --help and option errors
// answer at once.
import type { Sandbox, SandboxPorts, SandboxSiteBuilder } from "../sandbox/start-sandbox";

const HELP = `Usage: npm start [-- options]

Starts the whole paid-registration flow on this machine, on 127.0.0.1 only:
  - a Dataverse stand-in (token endpoint + Web API + event management actions)
  - a Stripe-compatible payment provider stand-in (hosted checkout page, signed webhooks, dashboard)
  - the Event Portal: the fixture pac site with the kit's gateway page built into it, served through
    the Power Pages Liquid emulation, plus the event site's event, registration and confirmation pages
  - the confirmation endpoint (the kit's real code) with its worker
Seeds one paid event (two passes) and one free event, then prints the URLs. Open the first one,
register two attendees, pay on the provider's page and see the registrations.

Options:
  --data-dir <dir>   where the sandbox keeps its state (default: data/sandbox)
  --fresh            delete that state first and start over
  --port <n>         first of four consecutive ports to try (portal, endpoint, Dataverse, provider;
                     default 5170); a port in use is replaced by a free one
  --random-ports     let the system pick every port
  --provider <name>  the provider checkouts use: stripe (default), adyen or paypal (starts its stand-in)
  --store <kind>     sqlite (default, in the data folder) or postgres (a throwaway cluster of Debian's
                     postgresql, removed at stop)
  --instances <n>    endpoint instances behind the one endpoint port, 1 to 8 (more than 1: --store postgres)
  --verbose          also print the endpoint's JSON log lines (always written to <data-dir>/endpoint.log);
                     LOG_FORMAT=pretty npm start makes them readable lines (pino-pretty)
  --env-file <file>  read environment variables from <file> first (its values win)
  --help             show this text

Stop with Ctrl-C (or SIGTERM): every part closes cleanly; the state is kept for the next run.
One sandbox per data folder: a second one on the same folder is refused (run it with its own
--data-dir). Secrets (the sk_test_ key, the webhook signing secret, the Dataverse stand-in's client
secret) are generated for each run and never printed; they are written, owner-only, to
<data-dir>/sandbox.env so the admin commands can be tried against the running sandbox:
  npm run doctor -- --env-file data/sandbox/sandbox.env`;

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** The kit's build as the sandbox needs it: records into the site folder, with the endpoint's URL. */
export function createSandboxSiteBuilder(root: string = repoRoot): SandboxSiteBuilder {
  const kitVersion = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
    .version;
  return async ({ siteDir, endpointUrl, log }) => {
    const { runBuild } = await import("./build/run-build");
    const result = await runBuild({
      repoRoot: root,
      kitVersion,
      outDir: null,
      site: siteDir,
      overrides: { endpointUrl },
      log,
    });
    return { partialUrl: result.loaded.definitions.webPage.partialUrl };
  };
}

/** Whether 127.0.0.1:`port` can be listened on right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once("error", () => done(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => done(true)));
  });
}

async function choosePorts(first: number, log: (line: string) => void): Promise<SandboxPorts> {
  const names = ["portal", "endpoint", "dataverse", "provider"] as const;
  const ports: SandboxPorts = {};
  for (const [i, name] of names.entries()) {
    const wanted = first + i;
    if (await portIsFree(wanted)) ports[name] = wanted;
    else {
      ports[name] = 0;
      log(`port ${wanted} (${name}) is in use: using a free one instead`);
    }
  }
  return ports;
}

function printUrls(sandbox: Sandbox): void {
  const u = sandbox.urls;
  const lines = [
    "",
    "Sandbox ready. Open:",
    `  Event page (paid)     ${u.paidEvent}`,
    `  Event page (free)     ${u.freeEvent}`,
    `  Registration          ${u.registration}`,
    `  Registration (RTM)    ${u.rtmRegistration}  (real-time journeys: Event API → /v1/rtm/pay)`,
    `  Status page           ${u.status}`,
    `  Provider dashboard    ${u.providerDashboard}`,
    `  Confirmation endpoint ${u.endpoint}  (/healthz, /readyz, /metrics)`,
    `  Dataverse stand-in    ${u.dataverse}/api/data/v9.2/`,
    `  Data folder           ${sandbox.dataDir}`,
    ...(sandbox.clock.offsetMs() > 0
      ? [
          `  Sandbox clock         ${describeOffset(sandbox.clock.offsetMs())} ahead of real time (kept from an earlier run; --fresh resets it)`,
        ]
      : []),
    "Stop with Ctrl-C.",
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

const OPTIONS = {
  "data-dir": { type: "string" },
  fresh: { type: "boolean" },
  port: { type: "string" },
  "random-ports": { type: "boolean" },
  verbose: { type: "boolean" },
  provider: { type: "string" },
  store: { type: "string" },
  instances: { type: "string" },
} as const;

/** The command line with every problem at once (a UsageError), or null after --help. */
function readCommandLine(argv: string[]) {
  const parsed = parseCommandLine(argv, OPTIONS, HELP, { positionals: false });
  if (!parsed) return null;
  const { values } = parsed;
  const problems: string[] = [];
  let first = 5170;
  if (values.port !== undefined) {
    first = Number(values.port);
    if (!/^\d+$/.test(values.port) || first < 1024 || first > 65532)
      problems.push(
        `--port "${values.port}" is not usable: give a whole number from 1024 to 65532 (the first of four ports), or use --random-ports.`,
      );
  }
  if (values["data-dir"] !== undefined && values["data-dir"].trim() === "")
    problems.push("--data-dir is empty: give a folder, or leave the option out for data/sandbox.");
  if (values.provider !== undefined && !SANDBOX_PROVIDERS.includes(values.provider as SandboxProvider))
    problems.push(`--provider "${values.provider}" is not known: give ${SANDBOX_PROVIDERS.join(", ")}.`);
  if (values.store !== undefined && values.store !== "sqlite" && values.store !== "postgres")
    problems.push(`--store "${values.store}" is not known: give sqlite (default) or postgres.`);
  if (values.instances !== undefined && !/^[1-8]$/.test(values.instances))
    problems.push(`--instances "${values.instances}" is not usable: give a whole number from 1 to 8.`);
  else if (values.instances !== undefined && values.instances !== "1" && values.store !== "postgres")
    problems.push("--instances above 1 needs --store postgres: several instances share one store.");
  throwProblems(problems);
  return { values, first };
}

/** Ctrl-C (or SIGTERM) closes every part and the endpoint log; a second one exits at once. */
function stopOnSignals(sandbox: Sandbox, closeLog: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting.\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`${signal}: stopping the sandbox…\n`);
    // Holds the process open until every part has closed: once the servers are gone, a part still
    // finishing on an unref'd timer would otherwise let Node exit before the last line is written.
    const keepAlive = setInterval(() => undefined, 1000);
    sandbox
      .close()
      .then(closeLog)
      .then(
        () => process.stderr.write("stopped; state kept in " + sandbox.dataDir + "\n"),
        (error: unknown) => {
          process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
          process.exitCode = 1;
        },
      )
      .finally(() => clearInterval(keepAlive));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

async function main(): Promise<void> {
  const command = readCommandLine(process.argv.slice(2));
  if (!command) return;
  const { values, first } = command;
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const dataDir = resolve(values["data-dir"] ?? join(repoRoot, "data", "sandbox"));
  const ports = values["random-ports"] ? {} : await choosePorts(first, progress);

  let logStream: ReturnType<typeof createWriteStream> | null = null;
  let sandbox: Sandbox;
  try {
    const { startSandbox } = await import("../sandbox/start-sandbox");
    sandbox = await startSandbox({
      dataDir,
      ports,
      fresh: values.fresh ?? false,
      buildSite: createSandboxSiteBuilder(),
      provider: values.provider as SandboxProvider | undefined,
      store: values.store === "postgres" ? "postgres" : "sqlite",
      instances: values.instances === undefined ? 1 : Number(values.instances),
      log: progress,
      endpointLogFormat: process.env.LOG_FORMAT === "pretty" ? "pretty" : "json",
      endpointLog: (line) => {
        logStream ??= createWriteStream(join(dataDir, "endpoint.log"), { flags: "a" });
        logStream.write(`${line}\n`);
        if (values.verbose) process.stderr.write(`${line}\n`);
      },
    });
  } catch (error) {
    const e = error as Error & { code?: string };
    process.stderr.write(`Error: the sandbox could not start: ${e.message}${e.code ? ` (${e.code})` : ""}\n`);
    if (e.cause instanceof Error) process.stderr.write(`  cause: ${e.cause.message}\n`);
    process.exitCode = 1;
    return;
  }
  printUrls(sandbox);
  stopOnSignals(
    sandbox,
    () => new Promise<void>((done) => (logStream ? logStream.end(() => done()) : done())),
  );
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  await runCommand(main);
}
