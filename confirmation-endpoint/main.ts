// `npm run serve`: the confirmation endpoint on Node's http server, with the outbox worker in the
// same process. This file only reads the environment, listens and handles signals; the endpoint
// itself is built by createEndpoint (create-endpoint.ts), which the sandbox and the benchmarks
// share. `startEndpoint(config, overrides)` runs the same thing in-process.

import { realpathSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import type { KitHandler } from "./app";
import { loadConfig } from "./config";
import type { EndpointConfig } from "./config";
import { createEndpoint } from "./create-endpoint";
import type { EndpointOverrides } from "./create-endpoint";
import { loadKeyVaultSecrets } from "./hosting/key-vault-secrets";
import { createNodeListener } from "./http/node-adapter";
import type { Metrics } from "./metrics";
import type { ProviderSet } from "./providers/registry";
import type { PaymentStore } from "./store/types";
import type { Worker } from "./worker/worker";

export type { EndpointOverrides } from "./create-endpoint";

export interface StartOptions extends EndpointOverrides {
  /** Run the outbox worker and the missed-events timer in this process (default true). */
  startWorker?: boolean;
}

export interface RunningEndpoint {
  /** http://<host>:<port> */
  url: string;
  port: number;
  handler: KitHandler;
  worker: Worker;
  store: PaymentStore;
  providers: ProviderSet;
  metrics: Metrics;
  close(): Promise<void>;
}

/** Start the endpoint (HTTP server + worker) from a parsed config; resolves once it listens. */
export async function startEndpoint(
  config: EndpointConfig,
  options: StartOptions = {},
): Promise<RunningEndpoint> {
  const endpoint = createEndpoint(config, options);
  const server = createServer(
    createNodeListener(endpoint.handler, (error) => endpoint.logger.log("error", "http host", { error }), {
      prereadBodies: true,
      direct: endpoint.handler.direct,
    }),
  );
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  endpoint.setListenUrl(url);
  if (options.startWorker !== false) endpoint.startBackground();

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    handler: endpoint.handler,
    worker: endpoint.worker,
    store: endpoint.store,
    providers: endpoint.providers,
    metrics: endpoint.metrics,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await endpoint.close();
      })();
      return closing;
    },
  };
}

const HELP = `Usage: npm run serve [-- --help]

Runs the confirmation endpoint: POST /v1/checkout, GET /v1/purchases/{id}/status,
POST /v1/webhooks/{provider}, GET /v1/rtm/pay (real-time journeys), /healthz, /readyz, /metrics, and the worker that finalizes paid
registrations in Dataverse (or refunds them) before the deadline.

Configuration comes from the environment only (see .env.example): DATAVERSE_*, PORTAL_ORIGINS,
PAYMENT_PROVIDER and its variables (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRETS …), STORE_URL, HOST (default 127.0.0.1), PORT (default 7071),
and the deadline knobs (FINALIZE_WINDOW_MINUTES, DEADLINE_MARGIN_MINUTES …).

With KEY_VAULT_URL set, the secret variables missing from the environment are read from that
Key Vault first, with the host's managed identity (docs/azure.md).

Prints the listening URL on stdout; logs are JSON lines on stderr. On Ctrl-C or SIGTERM it stops
taking requests, lets the jobs in progress finish, closes the store and exits 0; past
SHUTDOWN_GRACE_SECONDS (default 25, under the 30 s Container Apps gives) it exits 1 and any job
still leased is taken over by another instance once its lease runs out.
`;

/** SHUTDOWN_GRACE_SECONDS: how long a stop may take before the process gives up waiting. */
export function shutdownGraceMs(env: Record<string, string | undefined>): number {
  const raw = env.SHUTDOWN_GRACE_SECONDS?.trim();
  const seconds = raw ? Number(raw) : 25;
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 25_000;
}

/** Stops on SIGINT/SIGTERM within the grace period, then exits (0 when everything closed). */
function stopOnSignals(endpoint: RunningEndpoint): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = shutdownGraceMs(process.env);
    process.stderr.write(`${signal}: stopping (no new requests; finishing the jobs in progress)…\n`);
    const giveUp = setTimeout(() => {
      process.stderr.write(
        `not stopped within ${graceMs / 1000} s; exiting. A job still leased is run again by another instance once its lease runs out.\n`,
      );
      process.exit(1);
    }, graceMs);
    giveUp.unref();
    endpoint.close().then(
      () => {
        clearTimeout(giveUp);
        process.stderr.write("stopped\n");
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

async function runCli(): Promise<void> {
  try {
    const { values } = parseArgs({
      options: { help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return;
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun with --help for usage.\n`);
    process.exitCode = 1;
    return;
  }
  let endpoint: RunningEndpoint;
  try {
    const vault = await loadKeyVaultSecrets(process.env);
    if (vault.loaded.length > 0) process.stderr.write(`read from Key Vault: ${vault.loaded.join(", ")}\n`);
    endpoint = await startEndpoint(loadConfig(vault.env));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(`confirmation endpoint listening on ${endpoint.url}\n`);
  process.stdout.write(`${endpoint.url}\n`);
  stopOnSignals(endpoint);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  await runCli();
}
