// Webhook deliveries on the Node host go through the direct route (no Web Request or Response,
// issue 22 item 1): the same checks and the same answers as through the handler, real HTTP on
// 127.0.0.1 against startEndpoint.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../confirmation-endpoint/config";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { startEndpoint } from "../../confirmation-endpoint/main";
import type { RunningEndpoint } from "../../confirmation-endpoint/main";
import { createProviderSet } from "../../confirmation-endpoint/providers/registry";
import { FakeClock, FakeDataverse, FakeProvider, MINUTE, sign } from "./fakes";
import { ENDPOINT_ENV, PURCHASE, T0 } from "./harness";

let endpoint: RunningEndpoint | null = null;
let dir: string | null = null;
afterEach(async () => {
  await endpoint?.close();
  endpoint = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<{ endpoint: RunningEndpoint; clock: FakeClock }> {
  dir = mkdtempSync(join(tmpdir(), "direct-webhook-"));
  const config = loadConfig({ ...ENDPOINT_ENV, PORT: "0", STORE_URL: `sqlite:${join(dir, "g.sqlite")}` });
  const clock = new FakeClock(T0 + 2 * MINUTE);
  endpoint = await startEndpoint(config, {
    clock,
    dataverse: new FakeDataverse(),
    providers: createProviderSet(new FakeProvider(clock)),
    logger: createMemoryLogger(),
    startWorker: false,
  });
  return { endpoint, clock };
}

function delivery(clock: FakeClock, id: string, signature?: string) {
  const body = `{"id":"${id}", "type":"checkout.session.completed","signal":"paid","purchaseId":"${PURCHASE}","sessionId":"cs_${id}","paymentId":"pi_${id}"}`;
  const t = Math.floor(clock.now() / 1000);
  return {
    method: "POST",
    headers: { "stripe-signature": signature ?? `t=${t},v1=${sign(t, body)}` },
    body,
  };
}

const answer = async (res: Response) => ({
  status: res.status,
  type: res.headers.get("content-type"),
  body: (await res.json()) as unknown,
});

describe("webhooks through the Node host's direct route", () => {
  it("answers exactly as the handler does: stored, duplicate, bad signature, unknown provider, too large", async () => {
    const { endpoint, clock } = await start();
    const viaHandler = (path: string, init: RequestInit) =>
      endpoint.handler(new Request(`http://endpoint.invalid${path}`, init)).then(answer);
    const viaHost = (path: string, init: RequestInit) => fetch(`${endpoint.url}${path}`, init).then(answer);
    const json = "application/json; charset=utf-8";

    // The same delivery twice: whichever way it comes second, it is a duplicate.
    expect(await viaHost("/v1/webhooks/stripe?from=dashboard", delivery(clock, "evt_a"))).toEqual({
      status: 200,
      type: json,
      body: { received: true, stored: 1, duplicates: 0 },
    });
    expect(await viaHandler("/v1/webhooks/stripe", delivery(clock, "evt_a"))).toEqual({
      status: 200,
      type: json,
      body: { received: true, stored: 0, duplicates: 1 },
    });
    expect(await viaHost("/v1/webhooks/stripe", delivery(clock, "evt_a"))).toEqual({
      status: 200,
      type: json,
      body: { received: true, stored: 0, duplicates: 1 },
    });
    for (const [path, init] of [
      ["/v1/webhooks/stripe", delivery(clock, "evt_b", "t=1,v1=00")],
      ["/v1/webhooks/adyen", delivery(clock, "evt_c")],
      ["/v1/webhooks/stripe", { method: "POST", body: "x".repeat(300 * 1024) }],
    ] as const) {
      const host = await viaHost(path, init);
      expect(host).toEqual(await viaHandler(path, init));
      expect(host.status).toBeGreaterThanOrEqual(400);
    }
    const metrics = await (await fetch(`${endpoint.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_webhooks_total\{outcome="stored"\} 1\b/);
    expect(metrics).toMatch(/gateway_webhooks_total\{outcome="too_large"\} 2\b/);
  });

  it("takes only plain webhook targets; anything to normalise goes through the handler", async () => {
    const { endpoint } = await start();
    const { direct } = endpoint.handler;
    expect(direct("POST", "/v1/webhooks/stripe")).toBeTypeOf("function");
    expect(direct("POST", "/v1/webhooks/stripe?x=1")).toBeTypeOf("function");
    for (const [method, target] of [
      ["GET", "/v1/webhooks/stripe"],
      ["POST", "/v1/webhooks/%73tripe"],
      ["POST", "/v1/webhooks/x/../stripe"],
      ["POST", "//v1/webhooks/stripe"],
      ["POST", "/v1/checkout"],
    ] as const) {
      expect(direct(method, target)).toBeNull();
    }
  });
});
