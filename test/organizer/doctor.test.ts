// `doctor` against the Dataverse stand-in and a small endpoint stand-in on loopback: a healthy org
// passes every line; each broken thing turns its own line to warn or fail with a fix.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { DataverseClient } from "../../confirmation-endpoint/dataverse";
import { connectKitClient } from "../sandbox/dataverse-helpers";
import {
  startDataverseStandIn,
  type DataverseStandIn,
} from "../../sandbox/dataverse/start-dataverse-stand-in";
import type { PaymentMargins } from "../../confirmation-endpoint/rtm/check-payment-timeout";
import { runDoctor, type CheckResult } from "../../scripts/organizer/doctor-checks";

let dv: DataverseStandIn | undefined;
let client: DataverseClient | undefined;
let endpoint: Server | undefined;
afterEach(async () => {
  client?.close();
  await dv?.close();
  await new Promise<void>((resolve) => (endpoint ? endpoint.close(() => resolve()) : resolve()));
  dv = undefined;
  endpoint = undefined;
});

/** A stand-in for the endpoint's /healthz and CORS preflight, allowing only `allowedOrigin`. */
async function startEndpoint(allowedOrigin: string, healthy = true): Promise<string> {
  endpoint = createServer((req, res) => {
    if (req.url === "/healthz") return void res.writeHead(healthy ? 200 : 503).end();
    if (req.method === "OPTIONS" && req.url === "/v1/checkout") {
      const ok = req.headers.origin === allowedOrigin;
      return void res
        .writeHead(
          204,
          ok ? { "access-control-allow-origin": allowedOrigin, "access-control-allow-methods": "POST" } : {},
        )
        .end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => endpoint!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(endpoint!.address() as AddressInfo).port}`;
}

async function doctor(
  options: {
    demo?: boolean;
    assign?: boolean;
    names?: Record<string, string>;
    endpointOrigin?: string;
    portalUrl?: string;
    partialUrl?: string;
    clockSkewMs?: number;
    paymentTimeoutMinutes?: number;
    margins?: PaymentMargins;
  } = {},
) {
  dv = await startDataverseStandIn(options.names ? { names: options.names } : {});
  const seed = dv.seed({
    demoPaymentConfirmation: options.demo ?? false,
    assignGateway: options.assign ?? true,
    ...(options.paymentTimeoutMinutes === undefined
      ? {}
      : { paymentTimeoutMinutes: options.paymentTimeoutMinutes }),
  });
  client = connectKitClient(dv, { maxAttempts: 1 });
  const portalUrl = options.portalUrl ?? "https://contoso.powerappsportals.com";
  const endpointUrl = await startEndpoint(options.endpointOrigin ?? portalUrl);
  const results = await runDoctor(client, {
    partialUrl: options.partialUrl ?? "payment-gateway",
    endpointUrl,
    now: () => Date.now() + (options.clockSkewMs ?? 0),
    fetch: (input, init) =>
      String(input).startsWith(portalUrl)
        ? Promise.resolve(new Response("ok", { status: 200 }))
        : fetch(input, init),
    portalUrl,
    ...(options.margins ? { margins: options.margins } : {}),
  });
  return { results, seed, byName: (name: string) => results.find((r) => r.check === name) as CheckResult };
}

describe("doctor", () => {
  it("passes every line on a healthy org", async () => {
    const { results } = await doctor();
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ["Dataverse sign-in", "pass"],
      ["Event-management actions", "pass"],
      ["Finalize callable by the app user", "pass"],
      ["Gateway web page", "pass"],
      ["Page published on the portal", "pass"],
      ["Endpoint reachable", "pass"],
      ["CORS for the portal", "pass"],
      ["Events with the gateway", "pass"],
      ["Demo payment confirmation", "pass"],
      ["Clock skew", "pass"],
      ["RTM payment timeouts", "pass"],
    ]);
  });

  it("fails demo payment confirmation, CORS for another origin, and a missing page, each with its fix", async () => {
    const { byName } = await doctor({
      demo: true,
      endpointOrigin: "https://other.example",
      partialUrl: "not-there",
    });
    expect(byName("Demo payment confirmation")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/= No/),
    });
    expect(byName("CORS for the portal")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/PORTAL_ORIGINS/),
    });
    expect(byName("Gateway web page")).toMatchObject({
      status: "fail",
      fix: expect.stringMatching(/npm run deploy/),
    });
  });

  it("warns when no event uses the gateway, and finds renamed columns through metadata", async () => {
    const { byName } = await doctor({
      assign: false,
      names: { eventGatewayLookup: "new_gw", adminDemoPayment: "new_demoswitch" },
    });
    expect(byName("Events with the gateway")).toMatchObject({
      status: "warn",
      fix: expect.stringMatching(/npm run assign/),
    });
    expect(byName("Demo payment confirmation").status).toBe("pass");
    expect(byName("Gateway web page").status).toBe("pass");
  });

  it("fails the clock line when this machine is minutes off Dataverse", async () => {
    const { byName } = await doctor({ clockSkewMs: 10 * 60_000 });
    expect(byName("Clock skew")).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/ahead of Dataverse/),
    });
  });

  it("fails a payment provider whose timeout leaves no time to pay, saying which number to change", async () => {
    const { byName } = await doctor({ paymentTimeoutMinutes: 10 });
    expect(byName("RTM payment timeouts")).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("Sandbox provider (10 min)"),
      fix: expect.stringMatching(
        /"Payment timeout \(minutes\)".*MIN_PAY_WINDOW_MINUTES \(5\); raise it to at least 14 minutes/,
      ),
    });
  });

  it("measures the timeouts against the endpoint's own margins", async () => {
    const margins = { marginMinutes: 5, finalizeBudgetMinutes: 5, minPayWindowMinutes: 5 };
    const short = await doctor({ paymentTimeoutMinutes: 15, margins });
    expect(short.byName("RTM payment timeouts")).toMatchObject({
      status: "fail",
      fix: expect.stringContaining("at least 16 minutes"),
    });
  });
});
