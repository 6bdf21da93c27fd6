// `npm run clear-cache -- --website-id <guid> [--portal-url <url>] [--environment-id <guid>]`:
// clears a portal's cache the first way that works, and says which.
import { clearPortalCache } from "./clear-cache/clear-cache";
import { cacheDepsFromEnv, describeCacheResult } from "./clear-cache/from-env";
import { UsageError, checkGuid, checkHttpUrl, checkPortalUrl, parseCommandLine, runCommand } from "./lib/cli";

const USAGE = `Usage: npm run clear-cache -- --website-id <guid> [--portal-url <url>] [--environment-id <guid>] [--no-sign-in]

Tries, in order:
  1. the portal's config-cache endpoint (DELETE <portal>/_services/cache/config) with a Dataverse
     app token (DATAVERSE_* variables, as for the endpoint);
  2. the Power Platform admin API website restart, which needs a portal administrator to sign in
     with a device code (POWER_PLATFORM_ADMIN_CLIENT_ID, else DATAVERSE_CLIENT_ID, must allow
     public client flows);
  3. prints the manual step: <portal>/_services/about → Clear config.
Without any of them the portal refreshes its configuration within 15 minutes.

Options:
  --website-id <guid>      the site's website id (required)
  --portal-url <url>       https://<portal host> (needed for step 1; resolved in step 2 otherwise)
  --environment-id <guid>  Power Platform environment id (needed for step 2; \`pac org who\` shows it)
  --admin-api <url>        admin API base (default https://api.powerplatform.com)
  --no-sign-in             skip step 2 rather than ask for a sign-in
  --json                   the attempts and the outcome as JSON on stdout
  --env-file <file>        read environment variables from <file> first (its values win)
  --help                   this text

Exit code 0 when the cache was cleared, 2 when only the manual step is left, 1 on a problem.`;

async function main(): Promise<void> {
  const parsed = parseCommandLine(
    process.argv.slice(2),
    {
      "website-id": { type: "string" },
      "portal-url": { type: "string" },
      "environment-id": { type: "string" },
      "admin-api": { type: "string" },
      "no-sign-in": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    USAGE,
    { positionals: false },
  );
  if (!parsed) return;
  const { values } = parsed;
  const problems: string[] = [];
  const websiteId = values["website-id"];
  checkGuid("--website-id", websiteId, problems, "--website-id is required.");
  checkGuid("--environment-id", values["environment-id"], problems);
  checkPortalUrl(values["portal-url"], problems);
  if (!values["portal-url"] && !values["environment-id"])
    problems.push("Give --portal-url, --environment-id, or both: without either there is nothing to clear.");
  checkHttpUrl("--admin-api", values["admin-api"], problems);
  if (problems.length > 0 || !websiteId) throw new UsageError(problems.join("\n"));

  const err = (line: string) => process.stderr.write(`${line}\n`);
  const result = await clearPortalCache(
    {
      websiteId,
      portalUrl: values["portal-url"],
      environmentId: values["environment-id"],
      ...(values["admin-api"] ? { adminApiBase: values["admin-api"] } : {}),
      allowSignIn: !values["no-sign-in"],
    },
    cacheDepsFromEnv(process.env, { prompt: err, log: err }),
  );
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else for (const line of describeCacheResult(result)) process.stdout.write(`${line}\n`);
  if (result.method === "manual") process.exitCode = 2;
}

await runCommand(main);
