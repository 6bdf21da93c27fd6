// The money commands (refund, reconcile) run with the endpoint's own environment: its store, its
// providers (with this deployment's id) and its Dataverse connection, built the way the endpoint
// builds them (loadConfig, buildProviders, the one Dataverse client); `--env-file` is read by
// scripts/lib/cli.ts like every command's.
import { existsSync } from "node:fs";
import { loadConfig, type EndpointConfig } from "../../confirmation-endpoint/config";
import { buildProviders } from "../../confirmation-endpoint/create-endpoint";
import { createDataverseClient, createEventManagementApi } from "../../confirmation-endpoint/dataverse";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import type { EventManagementApi } from "../../confirmation-endpoint/dataverse/types";
import { ConfigError } from "../../confirmation-endpoint/errors";
import { systemClock, type Clock } from "../../confirmation-endpoint/clock";
import type { ProviderSet } from "../../confirmation-endpoint/providers/registry";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import type { PaymentStore } from "../../confirmation-endpoint/store/types";
import { UsageError } from "./cli";

export interface EndpointParts {
  config: EndpointConfig;
  store: PaymentStore;
  providers: ProviderSet;
  dataverse: EventManagementApi;
  dataverseClient: DataverseClient;
  clock: Clock;
  close(): Promise<void>;
}

/** The endpoint's configuration from the environment, or one UsageError naming every problem. */
export function endpointConfig(env: NodeJS.ProcessEnv, storeUrl?: string): EndpointConfig {
  try {
    return loadConfig(storeUrl === undefined ? env : { ...env, STORE_URL: storeUrl });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new UsageError(
      `This command runs with the endpoint's environment, which has ${error.problems.length} problem(s):\n  - ${error.problems.join("\n  - ")}\nSet them, or pass --env-file <the endpoint's .env>.`,
    );
  }
}

export function openEndpointParts(config: EndpointConfig, clock: Clock = systemClock): EndpointParts {
  if (config.store.kind === "sqlite" && !existsSync(config.store.path))
    throw new UsageError(
      `No store at ${config.store.path}: the endpoint has not run with this STORE_URL yet, or the path is wrong. Pass --store sqlite:<path>.`,
    );
  const store = openStore(config.store);
  const providers = buildProviders(config, clock);
  // The same application users as the running endpoint: wait out (and share) its throttling holds.
  const dataverseClient = createDataverseClient({ ...config.dataverse.client, sharedHolds: store });
  const dataverse = createEventManagementApi(dataverseClient, config.dataverse.api);
  return {
    config,
    store,
    providers,
    dataverse,
    dataverseClient,
    clock,
    async close() {
      dataverseClient.close();
      await store.close();
    },
  };
}
