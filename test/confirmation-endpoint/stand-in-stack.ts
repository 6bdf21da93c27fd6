// The endpoint with its real parts (Dataverse client with msal, Stripe adapter with the official
// SDK) started against the sandbox's Dataverse and Stripe stand-ins, all on 127.0.0.1, for the
// files that check the seams really meet.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { startEndpoint } from "../../confirmation-endpoint/main";
import type { EndpointOverrides, RunningEndpoint } from "../../confirmation-endpoint/main";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { startProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import type { ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";

export interface StandInStack {
  dataverse: DataverseStandIn;
  provider: ProviderStandIn;
  endpoint: RunningEndpoint;
  logger: ReturnType<typeof createMemoryLogger>;
  /** The variables the endpoint was configured from (the admin commands run with the same). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts both stand-ins and the endpoint configured from environment-style values pointing at them. */
export async function startStandInStack(options: {
  portalOrigin: string;
  webhookSecret: string;
  stripeSecretKey: string;
  overrides?: Omit<EndpointOverrides, "logger">;
  /** More environment for the endpoint (e.g. PAYMENTS_TABLE=on). */
  env?: Record<string, string>;
}): Promise<StandInStack> {
  const dir = mkdtempSync(join(tmpdir(), "endpoint-stand-ins-"));
  const logger = createMemoryLogger();
  let dataverse: DataverseStandIn | undefined;
  let provider: ProviderStandIn | undefined;
  let endpoint: RunningEndpoint | undefined;
  const close = async () => {
    await endpoint?.close();
    await provider?.close();
    await dataverse?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    dataverse = await startDataverseStandIn({});
    provider = await startProviderStandIn({ webhookSecret: options.webhookSecret, sweepIntervalMs: 0 });
    const env = {
      DATAVERSE_URL: dataverse.url,
      DATAVERSE_TENANT_ID: dataverse.tenantId,
      DATAVERSE_CLIENT_ID: dataverse.clientId,
      DATAVERSE_CLIENT_SECRET: dataverse.clientSecret,
      DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
      PORTAL_ORIGINS: options.portalOrigin,
      STRIPE_SECRET_KEY: options.stripeSecretKey,
      STRIPE_WEBHOOK_SECRETS: options.webhookSecret,
      STRIPE_API_BASE: provider.apiBase,
      STORE_URL: `sqlite:${join(dir, "gateway.sqlite")}`,
      PORT: "0",
      RTM_ENABLED: "true",
      ...options.env,
    };
    const config = loadConfig(env);
    endpoint = await startEndpoint(config, { ...options.overrides, logger });
    provider.setWebhookUrl(`${endpoint.url}/v1/webhooks/stripe`);
    return { dataverse, provider, endpoint, logger, env, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Reads until `done` holds or `ms` have passed, then returns the last value read (the caller asserts on it). */
export async function waitFor<T>(
  read: () => T | Promise<T>,
  done: (v: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET /v1/purchases/{id}/status over HTTP. */
export async function fetchStatus(
  endpoint: RunningEndpoint,
  purchaseId: string,
): Promise<{ status: string; readableEventId?: string; confirmationUrl?: string }> {
  const res = await fetch(`${endpoint.url}/v1/purchases/${purchaseId}/status`);
  return (await res.json()) as { status: string; readableEventId?: string; confirmationUrl?: string };
}
