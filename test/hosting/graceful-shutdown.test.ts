// SIGTERM to the endpoint process (what `npm run serve` runs, without npm: npm 11 dies on SIGTERM
// without waiting for its child, which is why the Dockerfile starts node itself) while a purchase
// is being finalized (Dataverse answers slowly): the process stops taking requests, lets the job in
// progress finish, closes the store and exits 0, and no job is lost: none is left leased, and
// whatever was not done yet is still due in the store.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { startEndpoint } from "../../confirmation-endpoint/main";
import { openStore } from "../../confirmation-endpoint/store/open-store";
import { startDataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { DataverseStandIn } from "../../sandbox/dataverse/start-dataverse-stand-in";
import { startProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import type { ProviderStandIn } from "../../sandbox/provider/start-provider-stand-in";
import { waitFor } from "../confirmation-endpoint/stand-in-stack";

const PORTAL = "http://127.0.0.1:5997";
let dir: string;
let dataverse: DataverseStandIn;
let provider: ProviderStandIn;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "endpoint-sigterm-"));
  dataverse = await startDataverseStandIn({});
  provider = await startProviderStandIn({ webhookSecret: "whsec_sigterm_test_secret", sweepIntervalMs: 0 });
});

afterAll(async () => {
  await provider?.close();
  await dataverse?.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return {
    DATAVERSE_URL: dataverse.url,
    DATAVERSE_TENANT_ID: dataverse.tenantId,
    DATAVERSE_CLIENT_ID: dataverse.clientId,
    DATAVERSE_CLIENT_SECRET: dataverse.clientSecret,
    DATAVERSE_AUTHORITY_HOST: dataverse.authorityHost,
    PORTAL_ORIGINS: PORTAL,
    STRIPE_SECRET_KEY: "sk_test_sigterm",
    STRIPE_WEBHOOK_SECRETS: "whsec_sigterm_test_secret",
    STRIPE_API_BASE: provider.apiBase,
    STORE_URL: `sqlite:${join(dir, "gateway.sqlite")}`,
    PORT: "0",
  };
}

interface Child {
  url: Promise<string>;
  exit: Promise<{ code: number | null; signal: string | null }>;
  stderr: () => string;
  kill(signal: NodeJS.Signals): void;
}

function serve(): Child {
  const child = spawn(process.execPath, ["--import", "tsx", "confirmation-endpoint/main.ts"], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, ...env() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const url = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const line = /^(http:\/\/\S+)\n/m.exec(out)?.[1];
      if (line) resolve(line);
    });
    child.once("exit", () => reject(new Error(`npm run serve exited before listening:\n${err}`)));
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { url, exit, stderr: () => err, kill: (signal) => void child.kill(signal) };
}

describe("the endpoint process on SIGTERM", () => {
  it(
    "finishes the job in progress, exits 0, leaves no job leased and none lost",
    { timeout: 90_000 },
    async () => {
      const child = serve();
      const url = await child.url;
      provider.setWebhookUrl(`${url}/v1/webhooks/stripe`);
      const seeded = dataverse.seed();
      const pass = seeded.paidEvent.passes[0]!;
      const purchaseId = dataverse.register({
        readableEventId: seeded.paidEvent.readableEventId,
        attendees: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", passId: pass.id }],
      }).purchaseId!;
      const checkout = await fetch(`${url}/v1/checkout`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: PORTAL },
        body: JSON.stringify({
          purchaseId,
          readableEventId: seeded.paidEvent.readableEventId,
          returnUrl: `${PORTAL}/payment-gateway/?purchaseId=${purchaseId}`,
        }),
      });
      expect(checkout.status).toBe(200);
      // From here every Dataverse call takes 1.5 s: the finalize is in flight when SIGTERM comes.
      dataverse.setFaults({ latencyMs: 1500 });
      provider.pay(provider.state.sessions(1)[0]!.id);
      await provider.idle();
      const before = dataverse.state.stats.apiRequests;
      await waitFor(
        () => dataverse.state.stats.apiRequests,
        (n) => n > before,
        20_000,
      );
      child.kill("SIGTERM");
      const exit = await child.exit;
      expect(exit, child.stderr()).toEqual({ code: 0, signal: null });
      expect(child.stderr()).toContain("SIGTERM: stopping");
      expect(child.stderr()).toMatch(/stopped\n/);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      dataverse.setFaults({ latencyMs: 0 });

      const config = loadConfig(env());
      const store = openStore(config.store);
      const jobs = await store.listJobs();
      expect(jobs.filter((j) => j.lockedBy !== null)).toEqual([]);
      const after = await store.getPurchase(purchaseId);
      await store.close();
      // Whatever the stop left undone is still in the store: a restart finishes it.
      if (after?.state !== "finalized") {
        const restarted = await startEndpoint(config, {
          logger: createMemoryLogger(),
          missedEventsIntervalMs: 0,
        });
        await restarted.worker.drain();
        expect((await restarted.store.getPurchase(purchaseId))?.state).toBe("finalized");
        await restarted.close();
      }
      expect(dataverse.state.purchase(purchaseId).processed).toBe(true);
    },
  );
});
