// `npm run build:hosting`: the compiled endpoint for App Service / Container Apps and the function
// app folder for Azure Functions (scripts/hosting/build-hosting.ts; docs/azure.md).

import { parseCommandLine, runCommand } from "./lib/cli";
import { buildHosting, resolveRoot } from "./hosting/build-hosting";

const USAGE = `Usage: npm run build:hosting [-- --json]

Bundles the confirmation endpoint with esbuild so it runs on plain node with production
dependencies only:
  dist/endpoint/main.js      start command for App Service and Container Apps:
                             node --max-semi-space-size=4 --heap-growing-percent=50 dist/endpoint/main.js
  dist/azure-functions/      the function app: main.js, host.json, package.json, package-lock.json
                             (install there with npm ci --omit=dev, then deploy the folder)
Fails, naming the package, when the endpoint imports a devDependency at run time.

Options:
  --json    print the result as JSON
  --help    this text`;

await runCommand(async () => {
  const parsed = parseCommandLine(process.argv.slice(2), { json: { type: "boolean" } }, USAGE);
  if (!parsed) return;
  const result = await buildHosting(resolveRoot());
  if (parsed.values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    process.stdout.write(
      `endpoint:     ${result.endpoint}\nstart with:   ${result.startCommand}\nfunction app: ${result.functionApp}\nruntime packages (all production dependencies): ${result.packages.join(", ")}\n`,
    );
});
