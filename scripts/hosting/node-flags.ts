// The node flags the endpoint runs with, wherever the kit starts it: `npm run serve` (package.json),
// the Dockerfile's CMD, the App Service start command (docs/azure.md, and what build:hosting
// prints), and the benchmark's endpoint processes (scripts/bench/burst/spawn-endpoint.ts), so that
// figure 5 measures what is shipped. test/hosting/node-flags.test.ts keeps those places in step and
// starts node with them (a Node release without one of these V8 flags refuses to start: the test
// fails first).
//
// They bound V8's garbage, not the endpoint's live data (about 25-40 MiB through a burst):
//  --max-semi-space-size=4    the young generation is two semi-spaces of at most 4 MiB instead of
//                             16 MiB; V8 grows them to the maximum under load and keeps them resident.
//  --heap-growing-percent=50  after a full collection the next one is due when the old generation
//                             has grown by half of what survived, instead of V8's factor of up to 4;
//                             without it, garbage piled up to 95 MiB of old generation in the
//                             3,000-purchase burst before V8 collected it.
// Their CPU cost, measured, and the peak RSS with and without them: docs/ingest-profile.md, "Memory".

/** Node flags before the endpoint's script, in every shipped way of running it. */
export const ENDPOINT_NODE_FLAGS: readonly string[] = [
  "--max-semi-space-size=4",
  "--heap-growing-percent=50",
];

/** The start command of the compiled endpoint (App Service, Container Apps), from the app's folder. */
export const ENDPOINT_START_COMMAND = ["node", ...ENDPOINT_NODE_FLAGS, "dist/endpoint/main.js"].join(" ");
