import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { createProviderSet } from "../../confirmation-endpoint/providers/registry";
import { startEndpoint } from "../../confirmation-endpoint/main";
import type { RunningEndpoint } from "../../confirmation-endpoint/main";
import { FakeClock, FakeDataverse, FakeProvider, MINUTE, sign } from "./fakes";
import { CONTACT, PORTAL, PURCHASE, T0, ENDPOINT_ENV } from "./harness";

const run = promisify(execFile);
const ENV = {
  ...ENDPOINT_ENV,
  PORT: "0",
};

let endpoint: RunningEndpoint | null = null;
let dir: string | null = null;
afterEach(async () => {
  await endpoint?.close();
  endpoint = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("startEndpoint (Node host)", () => {
  it("serves the handler on 127.0.0.1, keeps the raw webhook body for the signature, runs the worker, stops cleanly", async () => {
    dir = mkdtempSync(join(tmpdir(), "endpoint-main-"));
    const config = loadConfig({ ...ENV, STORE_URL: `sqlite:${join(dir, "g.sqlite")}` });
    const clock = new FakeClock(T0 + 2 * MINUTE);
    const dataverse = new FakeDataverse();
    dataverse.addPurchase({
      purchaseId: PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    dataverse.finalizeScript.push({ kind: "ok" });
    const provider = new FakeProvider(clock);
    endpoint = await startEndpoint(config, {
      clock,
      dataverse,
      providers: createProviderSet(provider),
      logger: createMemoryLogger(),
      startWorker: false,
    });
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const checkout = await fetch(`${endpoint.url}/v1/checkout`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: PORTAL },
      body: JSON.stringify({
        purchaseId: PURCHASE,
        readableEventId: "Paid_Event1479011247",
        returnUrl: `${PORTAL}/pay/`,
      }),
    });
    expect(checkout.status).toBe(200);
    expect(checkout.headers.get("access-control-allow-origin")).toBe(PORTAL);
    const sessionId = ((await checkout.json()) as { payment: { redirectUrl: string } }).payment.redirectUrl
      .split("/")
      .pop()!;
    provider.pay(sessionId);
    const s = provider.sessions.get(sessionId)!;
    // Odd spacing and key order survive: the signature is over these exact bytes.
    const body = `{ "id":"evt_1",  "type":"checkout.session.completed", "signal":"paid", "purchaseId":"${PURCHASE}", "sessionId":"${sessionId}", "paymentId":"${s.paymentId}" }`;
    const t = Math.floor(clock.now() / 1000);
    const hook = await fetch(`${endpoint.url}/v1/webhooks/stripe`, {
      method: "POST",
      headers: { "stripe-signature": `t=${t},v1=${sign(t, body)}` },
      body,
    });
    expect(hook.status).toBe(200);
    await endpoint.worker.drain();
    const status = await fetch(`${endpoint.url}/v1/purchases/${PURCHASE}/status`);
    expect(((await status.json()) as { status: string }).status).toBe("finalized");
    expect((await fetch(`${endpoint.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${endpoint.url}/metrics`)).text()).toContain("gateway_webhooks_total");
    await endpoint.close();
    await expect(fetch(`${endpoint.url}/healthz`)).rejects.toThrow();
    endpoint = null;
  });
});

describe("npm run serve", () => {
  it("answers --help, and refuses to start without configuration, listing the problems, exit 1", async () => {
    const [help, failed] = await Promise.all([
      run(process.execPath, ["--import", "tsx", "confirmation-endpoint/main.ts", "--help"], {
        cwd: process.cwd(),
      }),
      run(process.execPath, ["--import", "tsx", "confirmation-endpoint/main.ts"], {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? "" },
      }).then(
        () => null,
        (error: { code: number; stderr: string; stdout: string }) => error,
      ),
    ]);
    expect(help.stdout).toContain("Usage: npm run serve");
    expect(failed).not.toBeNull();
    expect(failed!.code).toBe(1);
    expect(failed!.stderr).toContain("STRIPE_WEBHOOK_SECRETS");
    expect(failed!.stderr).toContain("set exactly one of");
    expect(failed!.stdout).toBe("");
  });
});
