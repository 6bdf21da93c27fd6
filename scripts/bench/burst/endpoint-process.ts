// The confirmation endpoint as its own process for the burst benchmark and its test: the kit's
// startEndpoint with a clock the parent can speed up (stdin lines "clock <anchorReal>,<anchorClock>,<scale>"),
// the Dataverse client's now/sleep on that clock, and the worker knobs a benchmark needs. With
// BURST_MODE=inline it is instead the baseline of the ingest benchmark: a webhook receiver that
// re-reads the payment and finalizes in Dataverse before it answers.
//
//   node --import tsx scripts/bench/burst/endpoint-process.ts        (env as for npm run serve, plus BURST_*)
// (the benchmark runs an esbuild bundle of this file with plain node; see spawn-endpoint.ts)
//
// Prints the listening URL on stdout; JSON logs on stderr.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { loadConfig } from "../../../confirmation-endpoint/config";
import {
  createDataverseClient,
  createEventManagementApi,
  readDataverseEnv,
} from "../../../confirmation-endpoint/dataverse";
import { ConfigError } from "../../../confirmation-endpoint/errors";
import { createNodeListener } from "../../../confirmation-endpoint/http/node-adapter";
import { createJsonLogger } from "../../../confirmation-endpoint/logger";
import { startEndpoint } from "../../../confirmation-endpoint/main";
import { openStore } from "../../../confirmation-endpoint/store/open-store";
import type { PaymentStore } from "../../../confirmation-endpoint/store/types";
import { buildProviders } from "../../../confirmation-endpoint/create-endpoint";
import { createScaledClock, parseClockState } from "./scaled-clock";

const HELP = `Usage: node --import tsx scripts/bench/burst/endpoint-process.ts [--help]

The confirmation endpoint for the burst benchmark. Environment: the endpoint's own variables
(DATAVERSE_*, PORTAL_ORIGINS, STRIPE_*, STORE_URL, PORT) plus
  BURST_CLOCK               <anchorReal>,<anchorClock>,<scale>: the shared clock (default: real time)
  BURST_MODE                kit (default) | inline (baseline: finalize inside the webhook request)
  BURST_WORKER_CONCURRENCY  worker jobs in parallel (default: the kit's)
  BURST_LEASE_SECONDS       worker lease in clock seconds (default: the kit's)
  BURST_POLL_MS             longest real sleep of the worker loop (default 200)
  BURST_RECONCILE_MS        fetch undelivered provider events every N ms (default 0 = never)
  BURST_START_WORKER        0: store webhooks only, no worker (isolates ingest)
  BURST_WEBHOOK_STORE       skip: webhooks are verified and answered but not stored (the store
                            answers at once; figure 1b's --depth route, what ingest costs up to the store)
  BURST_READABLE_EVENT_ID   inline mode: the event every purchase belongs to
  BURST_SHARED_HOLDS        0: keep Dataverse's throttling holds in this process only (as before
                            they were shared through the store; a baseline for instances sharing a user)
stdin: "clock <anchorReal>,<anchorClock>,<scale>" lines move the clock to the parent's state.
`;

/** `store` with recordWebhook answering at once, every event "stored" and nothing written. */
function withoutWebhookWrites(store: PaymentStore): PaymentStore {
  return { ...store, recordWebhook: async (planned) => ({ stored: planned.length, duplicates: 0 }) };
}

function numberFromEnv(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigError([`${name}: must be a non-negative number; got "${raw}"`]);
  return value;
}

async function main(): Promise<void> {
  if (process.argv.includes("--help")) {
    process.stdout.write(HELP);
    return;
  }
  const clock = createScaledClock(
    process.env.BURST_CLOCK ? parseClockState(process.env.BURST_CLOCK) : undefined,
  );
  createInterface({ input: process.stdin }).on("line", (line) => {
    const m = /^clock (\S+)$/.exec(line.trim());
    if (m?.[1]) clock.adopt(parseClockState(m[1]));
  });
  const config = loadConfig(process.env);
  const dv = readDataverseEnv(process.env, (path) => readFileSync(path, "utf8"));
  if (dv.problems.length > 0 || !dv.client) throw new ConfigError(dv.problems);
  const clientOptions = {
    ...dv.client,
    now: clock.now,
    sleep: clock.sleep,
    // An explicit undefined replaces the store the endpoint would pass (create-endpoint.ts).
    ...(process.env.BURST_SHARED_HOLDS === "0" ? { sharedHolds: undefined } : {}),
  };
  const mode = process.env.BURST_MODE ?? "kit";

  if (mode === "kit") {
    const concurrency = numberFromEnv("BURST_WORKER_CONCURRENCY", undefined);
    const lease = numberFromEnv("BURST_LEASE_SECONDS", undefined);
    config.worker = {
      concurrency: concurrency ?? config.worker.concurrency,
      leaseSeconds: lease ?? config.worker.leaseSeconds,
      pollSeconds: (numberFromEnv("BURST_POLL_MS", 200) ?? 200) / 1000,
    };
    const endpoint = await startEndpoint(config, {
      clock,
      ...(process.env.BURST_WEBHOOK_STORE === "skip"
        ? { store: withoutWebhookWrites(openStore(config.store)) }
        : {}),
      dataverseClientOptions: clientOptions,
      dataverseApiOptions: dv.api,
      missedEventsIntervalMs: numberFromEnv("BURST_RECONCILE_MS", 0) ?? 0,
      startWorker: process.env.BURST_START_WORKER !== "0",
    });
    process.stdout.write(`${endpoint.url}\n`);
    process.once("SIGTERM", () => void endpoint.close().then(() => process.exit(0)));
    return;
  }
  if (mode !== "inline") throw new ConfigError([`BURST_MODE: must be "kit" or "inline"; got "${mode}"`]);

  const readableEventId = process.env.BURST_READABLE_EVENT_ID ?? "";
  if (!readableEventId) throw new ConfigError(["BURST_READABLE_EVENT_ID: required in inline mode"]);
  const logger = createJsonLogger({ write: (line) => process.stderr.write(line), now: clock.now });
  const client = createDataverseClient({ ...clientOptions, log: () => {} });
  const dataverse = createEventManagementApi(client, { ...(dv.api ?? {}), log: () => {} });
  const provider = buildProviders(config, clock).active;
  // The baseline: everything inside the request, answer only when Dataverse has answered.
  const handler = async (request: Request): Promise<Response> => {
    if (request.method !== "POST" || !new URL(request.url).pathname.startsWith("/v1/webhooks/"))
      return new Response("not found", { status: 404 });
    const body = new Uint8Array(await request.arrayBuffer());
    let events;
    try {
      events = await provider.verifyAndParse({
        headers: request.headers,
        body,
        receivedAt: new Date(clock.now()),
      });
    } catch {
      return new Response("bad signature", { status: 400 });
    }
    try {
      for (const event of events) {
        if (event.signal !== "paid") continue;
        const ref = event.providerSessionId
          ? { providerSessionId: event.providerSessionId }
          : { providerPaymentId: event.providerPaymentId ?? "" };
        const payment = await provider.getPayment(ref);
        if (payment.signal !== "paid" || !payment.purchaseId) continue;
        await dataverse.finalizeRegistration({ purchaseId: payment.purchaseId, readableEventId, userId: "" });
      }
      return new Response("{}", { status: 200 });
    } catch (error) {
      logger.log("warn", "inline finalize failed", { error });
      return new Response("retry", { status: 503 });
    }
  };
  const server = createServer(
    createNodeListener(handler, (error) => logger.log("error", "http host", { error })),
  );
  await new Promise<void>((resolve) => server.listen(config.port, config.host, () => resolve()));
  process.stdout.write(`http://${config.host}:${(server.address() as AddressInfo).port}\n`);
  process.once("SIGTERM", () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`burst endpoint: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
  process.exit(1);
});
