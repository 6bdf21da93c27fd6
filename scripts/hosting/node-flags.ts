// The node flags the endpoint runs with, wherever the kit starts it: `npm run serve` (package.json),
// the Dockerfile's CMD, the App Service start command (docs/azure.md, and what build:hosting
// prints), and the benchmark's endpoint processes (scripts/bench/burst/spawn-endpoint.ts), so that
// figure 5 measures what is shipped. test/hosting/node-flags.test.ts keeps those places in step.
//
// --max-semi-space-size=4: V8's young generation holds at most two 4 MiB semi-spaces instead of
// two 16 MiB ones. Under a burst V8 grows them to the maximum and keeps them resident, about
// 24 MiB of RSS the endpoint does not need: what a request allocates dies within it, so a smaller
// nursery means more, shorter scavenges and no measurable CPU per webhook (docs/ingest-profile.md,
// "Memory", has the figures).

/** Node flags before the endpoint's script, in every shipped way of running it. */
export const ENDPOINT_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/** The start command of the compiled endpoint (App Service, Container Apps), from the app's folder. */
export const ENDPOINT_START_COMMAND = ["node", ...ENDPOINT_NODE_FLAGS, "dist/endpoint/main.js"].join(" ");
