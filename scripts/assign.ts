// `npm run assign -- --event <readable id> [--event …] | --all-paid | --default`: for organizers,
// points events at the kit's gateway page, warns about what would keep attendees from paying, and
// clears the portal cache.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deriveRecordId } from "./build/kit-ids";
import { loadDefinitions } from "./build/definitions";
import { clearPortalCache } from "./clear-cache/clear-cache";
import { cacheDepsFromEnv, describeCacheResult } from "./clear-cache/from-env";
import { checkGuid, checkNotEmpty, parseCommandLine, runCommand, throwProblems } from "./lib/cli";
import { connectDataverse, dataverseSettingsFromEnv } from "./lib/dataverse-env";
import { assignGateway } from "./organizer/assign-gateway";

const USAGE = `Usage: npm run assign -- (--event <readable id> [--event …] | --all-paid | --default) [options]

Sets the events' "Portal payment gateway" to the kit's web page (the lookup is found in Dataverse's
metadata), warns about events with no pass, session-level registration and demo payment
confirmation, then clears the portal cache.

What to assign (any combination):
  --event <readable id>   one event; repeat for several
  --all-paid              every active event that has at least one pass
  --default               the Event administration's default, for new events

Which page (default: the page the build made, found by its partial URL):
  --web-page-id <guid>    the gateway web page's id
  --website-id <guid>     the site's website id (finds the kit's page by its deterministic id)
  --partial-url <text>    the page's partial URL (default: PARTIAL_URL, from portal-templates/definitions.yml)
  --lookup <name>         the event's lookup column, when discovery finds several

Cache (as npm run clear-cache):
  --portal-url <url>  --environment-id <guid>  --no-sign-in

Output:
  --json              the report (page, assigned events, warnings) as JSON on stdout
  --env-file <file>   read environment variables from <file> first (its values win), e.g. the
                      sandbox's <data folder>/sandbox.env
  --help              this text

Dataverse connection from DATAVERSE_URL, DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID and a secret or
certificate, as for the endpoint.`;

async function main(): Promise<void> {
  const { definitions } = loadDefinitions(
    join(fileURLToPath(new URL("..", import.meta.url)), "portal-templates", "definitions.yml"),
  );
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      event: { type: "string", multiple: true, default: [] },
      "all-paid": { type: "boolean", default: false },
      default: { type: "boolean", default: false },
      "web-page-id": { type: "string" },
      "website-id": { type: "string" },
      "partial-url": { type: "string" },
      lookup: { type: "string" },
      "portal-url": { type: "string" },
      "environment-id": { type: "string" },
      "no-sign-in": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    USAGE.replace("PARTIAL_URL", definitions.webPage.partialUrl),
    { positionals: false },
  );
  if (!parsed) return;
  const { values } = parsed;
  const problems: string[] = [];
  checkGuid("--web-page-id", values["web-page-id"], problems);
  checkGuid("--website-id", values["website-id"], problems);
  checkGuid("--environment-id", values["environment-id"], problems);
  if (values.event.length === 0 && !values["all-paid"] && !values.default)
    problems.push("Say what to assign: --event <readable id>, --all-paid or --default.");
  if (values.event.some((e) => e.trim() === "")) problems.push("--event needs a readable event id.");
  checkNotEmpty({ "partial-url": values["partial-url"], lookup: values.lookup }, problems);
  throwProblems(problems);

  const err = (line: string) => process.stderr.write(`${line}\n`);
  const client = connectDataverse(dataverseSettingsFromEnv(process.env));
  try {
    const report = await assignGateway(
      client,
      {
        events: values.event,
        allPaid: values["all-paid"],
        setDefault: values.default,
        webPageId: values["web-page-id"],
        candidatePageIds: values["website-id"]
          ? [deriveRecordId(values["website-id"], "adx_webpage", definitions.webPage.name)]
          : [],
        partialUrl: values["partial-url"] ?? definitions.webPage.partialUrl,
        pageName: definitions.webPage.name,
        lookup: values.lookup,
      },
      err,
    );
    // With --json the lines go to stderr and stdout holds only the JSON report.
    const out = (line: string) => void (values.json ? err(line) : process.stdout.write(`${line}\n`));
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    out(`Gateway page: ${report.page.table} ${report.page.id} (lookup ${report.lookup})`);
    for (const e of report.assigned)
      out(`  assigned  ${e.readableEventId}  ${e.name}  (${e.passes} pass${e.passes === 1 ? "" : "es"})`);
    if (report.defaultSet) out("  default   new events use this gateway");
    for (const w of report.warnings) out(`  warning   ${w}`);
    if (values["website-id"] && (values["portal-url"] || values["environment-id"])) {
      const result = await clearPortalCache(
        {
          websiteId: values["website-id"],
          portalUrl: values["portal-url"],
          environmentId: values["environment-id"],
          allowSignIn: !values["no-sign-in"],
        },
        cacheDepsFromEnv(process.env, { prompt: err, log: err }),
      );
      for (const line of describeCacheResult(result)) err(line);
    } else {
      err(
        "Cache: the portal shows the change after its cache is cleared (npm run clear-cache -- --website-id … --portal-url …) or within 15 minutes.",
      );
    }
  } finally {
    client.close();
  }
}

await runCommand(main);
