// `npm run deploy -- --environment <org url> --website-id <guid> [options]`: puts the gateway page
// on a live portal through PAC CLI, clears the cache and checks that the page answers.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { collectKnownSecrets } from "./build/known-secrets";
import { runBuild } from "./build/run-build";
import { clearPortalCache } from "./clear-cache/clear-cache";
import { cacheDepsFromEnv, describeCacheResult } from "./clear-cache/from-env";
import {
  UsageError,
  checkGuid,
  checkNotEmpty,
  checkPortalUrl,
  parseCommandLine,
  runCommand,
} from "./lib/cli";
import { createStepRunner } from "./lib/progress";
import { credentialsFromEnv, secretsOf, type PacCredentials } from "./pac/commands";
import { locatePac } from "./pac/locate-pac";
import { createPacRunner } from "./pac/runner";
import { loadWrapper, WRAPPER_PACKAGE } from "./pac/wrapper";
import { describeSummary, runDeploy } from "./deploy/run-deploy";

const USAGE = `Usage: npm run deploy -- --environment <org url> --website-id <guid> [options]

Signs pac in (its own auth profile), downloads the site, writes the kit's records into it, uploads
it, deletes that auth profile, clears the portal cache and checks that the page answers.

Options:
  --environment <url>     Dataverse environment URL, e.g. https://contoso.crm.dynamics.com (required)
  --website-id <guid>     the site's website id (\`pac pages list\` shows it) (required)
  --model-version 1|2     1 = standard data model (default), 2 = enhanced
  --profile <name>        pac deployment profile (deployment-profiles/<name>.deployment.yml)
  --portal-url <url>      https://<portal host>, to clear its cache and check the page
  --environment-id <guid> Power Platform environment id (read from \`pac org who\` when omitted)
  --endpoint-url <url>    value of the PaymentGateway/EndpointUrl site setting
  --partial-url <text>    partial URL of the page (default from portal-templates/definitions.yml)
  --name <text>           name of the kit's records
  --config <file>         JSON or YAML overriding the definitions
  --cloud <name>          Public (default), UsGov, UsGovHigh, UsGovDod, China
  --pac-path <file>       the pac executable (else PAC_PATH, else pac on PATH)
  --secret-on-argv        also pass the client secret to pac on its command line (for pac
                          versions that do not read PAC_CLI_SPN_SECRET)
  --no-sign-in            never start a device-code sign-in for the cache restart
  --site <dir>            with --dry-run: a local download to list the exact files against
  --force                 take over records that already use the kit's name or partial URL
  --dry-run               print the plan and the files; touch nothing remote (needs no credentials)
  --json                  the summary (or, with --dry-run, the plan) as JSON on stdout
  --env-file <file>       read environment variables from <file> first (its values win)
  --help                  this text

Credentials come from the environment (exactly one set): DATAVERSE_CLIENT_SECRET (with
DATAVERSE_TENANT_ID and DATAVERSE_CLIENT_ID); PAC_CERTIFICATE_PATH (+ PAC_CERTIFICATE_PASSWORD);
PAC_MANAGED_IDENTITY=true; PAC_FEDERATED=GitHub|AzureDevOps. A dry run without them shows the
sign-in step with placeholders.`;

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

const OPTIONS = {
  environment: { type: "string" },
  "website-id": { type: "string" },
  "model-version": { type: "string", default: "1" },
  profile: { type: "string" },
  "portal-url": { type: "string" },
  "environment-id": { type: "string" },
  "endpoint-url": { type: "string" },
  "partial-url": { type: "string" },
  name: { type: "string" },
  config: { type: "string" },
  cloud: { type: "string", default: "Public" },
  "pac-path": { type: "string" },
  "secret-on-argv": { type: "boolean", default: false },
  "no-sign-in": { type: "boolean", default: false },
  site: { type: "string" },
  force: { type: "boolean", default: false },
  "dry-run": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
} as const;

/** What a dry run shows in the sign-in step when no credentials are set: it signs nothing in. */
const PLACEHOLDER_CREDENTIALS: PacCredentials = {
  kind: "client-secret",
  tenantId: "<DATAVERSE_TENANT_ID>",
  appId: "<DATAVERSE_CLIENT_ID>",
  clientSecret: "<DATAVERSE_CLIENT_SECRET>",
};

type DeployValues = NonNullable<ReturnType<typeof parseCommandLine<typeof OPTIONS>>>["values"];

/** Every problem with the options and the credentials at once, or what deploy runs with. */
function checkOptions(values: DeployValues) {
  const problems: string[] = [];
  const environmentUrl = values.environment?.replace(/\/+$/, "");
  if (!environmentUrl) problems.push("--environment is required (the Dataverse environment URL).");
  else if (!/^https:\/\/[^/]+$/i.test(environmentUrl))
    problems.push(`--environment must be an https URL of the organisation, got "${environmentUrl}".`);
  const websiteId = values["website-id"];
  checkGuid(
    "--website-id",
    websiteId,
    problems,
    "--website-id is required (`pac pages list` shows the Website Id).",
  );
  const givenModel = values["model-version"];
  const modelVersion: "1" | "2" | null = givenModel === "1" || givenModel === "2" ? givenModel : null;
  if (!modelVersion)
    problems.push(`--model-version must be 1 (standard) or 2 (enhanced), got "${values["model-version"]}".`);
  checkPortalUrl(values["portal-url"], problems);
  checkGuid("--environment-id", values["environment-id"], problems);
  checkNotEmpty(values, problems);
  const fromEnv = credentialsFromEnv(process.env);
  const dryRunWithout = values["dry-run"] && !fromEnv.credentials;
  if (!dryRunWithout) problems.push(...fromEnv.problems);
  const credentials = dryRunWithout ? PLACEHOLDER_CREDENTIALS : fromEnv.credentials;
  if (problems.length > 0 || !credentials || !environmentUrl || !websiteId || !modelVersion)
    throw new UsageError(problems.join("\n"));
  return { environmentUrl, websiteId, modelVersion, credentials };
}

const err = (line: string) => process.stderr.write(`${line}\n`);
const pacLog = (line: string) => err(`  pac: ${line}`);

/** The kit's build into a site folder, with the command line's overrides. */
function siteBuilder(values: DeployValues) {
  const overrides = {
    ...(values.name ? { name: values.name } : {}),
    ...(values["partial-url"] ? { partialUrl: values["partial-url"] } : {}),
    ...(values["endpoint-url"] ? { endpointUrl: values["endpoint-url"] } : {}),
  };
  const knownSecrets = collectKnownSecrets(process.env);
  const kitVersion = (
    JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
  ).version;
  return (site: string) =>
    runBuild({
      repoRoot: REPO_ROOT,
      kitVersion,
      outDir: null,
      site,
      force: values.force,
      knownSecrets,
      overrides,
      ...(values.config ? { configFile: values.config } : {}),
      log: err,
    });
}

/** The pac runner, and the cli-wrapper package when a user installed it (never for a dry run). */
async function pacTools(values: DeployValues, credentials: PacCredentials) {
  const dryRun = values["dry-run"];
  const pacPath = dryRun
    ? "pac"
    : locatePac({ explicitPath: values["pac-path"] ?? process.env.PAC_PATH, pathVariable: process.env.PATH });
  const pac = createPacRunner({
    pacPath,
    workingDir: process.cwd(),
    agent: "event-portal-payment-gateway-kit",
    logger: { log: pacLog, error: pacLog },
    env: process.env,
    redact: secretsOf(credentials),
  });
  const wrapperModule = dryRun ? null : await loadWrapper();
  if (wrapperModule)
    err(
      `Using ${WRAPPER_PACKAGE} for download and upload (it signs in and out around each, clearing every pac profile).`,
    );
  const wrapper = wrapperModule && {
    module: wrapperModule,
    runner: {
      logger: { log: pacLog, debug: () => undefined, warn: pacLog, error: pacLog },
      agent: "event-portal-payment-gateway-kit",
      workingDir: process.cwd(),
      runnersDir: process.cwd(),
      pacPath,
    },
  };
  return { pac, wrapper };
}

/** The dry run's file list, against a copy of a local download; the real site is never touched. */
async function planOverlay(values: DeployValues, build: ReturnType<typeof siteBuilder>) {
  const scratch = mkdtempSync(join(tmpdir(), "epg-plan-"));
  try {
    if (!values.site)
      throw new UsageError(
        "--dry-run lists the exact files against a local download: add --site <dir> (from `pac pages download`).",
      );
    cpSync(values.site, scratch, { recursive: true });
    const result = await build(scratch);
    return { files: result.overlay?.changed ?? [], pagePath: result.overlay?.url ?? "/" };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function cacheClearer(values: DeployValues, websiteId: string) {
  const cache = cacheDepsFromEnv(process.env, { prompt: err, log: err });
  return async ({
    environmentId,
    portalUrl,
  }: {
    environmentId: string | null;
    portalUrl: string | undefined;
  }) => {
    const result = await clearPortalCache(
      {
        websiteId,
        portalUrl,
        environmentId: values["environment-id"] ?? environmentId,
        allowSignIn: !values["no-sign-in"],
      },
      cache,
    );
    for (const line of describeCacheResult(result)) err(line);
    return result.method === "manual"
      ? "not cleared automatically: see the manual step above"
      : `cleared by ${result.method}`;
  };
}

async function main(): Promise<void> {
  const parsed = parseCommandLine(process.argv.slice(2), OPTIONS, USAGE, { positionals: false });
  if (!parsed) return;
  const { values } = parsed;
  const { environmentUrl, websiteId, modelVersion, credentials } = checkOptions(values);
  const build = siteBuilder(values);
  const { pac, wrapper } = await pacTools(values, credentials);
  const summary = await runDeploy(
    {
      environmentUrl,
      websiteId,
      modelVersion,
      deploymentProfile: values.profile,
      credentials,
      secretHandling: { clientSecret: values["secret-on-argv"] ? "argv" : "env" },
      cloud: values.cloud,
      profileName: "epg-kit-deploy",
      portalUrl: values["portal-url"],
      dryRun: values["dry-run"],
    },
    {
      pac,
      step: createStepRunner({ write: err }),
      wrapper,
      // With --json the plan's lines go to stderr and stdout holds only the JSON.
      out: (line) => (values.json ? err(line) : process.stdout.write(`${line}\n`)),
      overlay: async (siteDir) => {
        const result = await build(siteDir);
        return { changed: result.overlay?.changed ?? [], pagePath: result.overlay?.url ?? "/" };
      },
      planOverlay: () => planOverlay(values, build),
      clearCache: cacheClearer(values, websiteId),
      checkPage: async (url) => (await fetch(url, { redirect: "manual" })).status,
    },
  );
  if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else for (const line of describeSummary(summary)) process.stdout.write(`${line}\n`);
}

await runCommand(main);
