// Service protection, authentication failures, fault knobs and persistence of the Dataverse stand-in.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  startDataverseStandIn,
  type DataverseStandIn,
} from "../../sandbox/dataverse/start-dataverse-stand-in";
import { accessToken, callApi, fetchToken, twoAttendees } from "./dataverse-helpers";

const open: DataverseStandIn[] = [];
async function start(options: Parameters<typeof startDataverseStandIn>[0] = {}): Promise<DataverseStandIn> {
  const s = await startDataverseStandIn(options);
  open.push(s);
  return s;
}
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});

const errorOf = (body: Record<string, unknown> | null) => body?.error as { code: string; message: string };

describe("service protection", () => {
  it("limits requests per window per application user with 429, Retry-After and 0x80072322", async () => {
    const s = await start({
      limits: { requestsPerWindow: 3 },
      applicationUsers: [
        { clientId: "0a0a0a0a-0000-4000-8000-000000000001", clientSecret: "first-secret" },
        { clientId: "0a0a0a0a-0000-4000-8000-000000000002", clientSecret: "second-secret" },
      ],
    });
    const token = await accessToken(s);
    for (let i = 0; i < 3; i++) expect((await callApi(s, token, "GET", "WhoAmI")).status).toBe(200);
    const throttled = await callApi(s, token, "GET", "WhoAmI");
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(290);
    expect(Number(throttled.headers.get("retry-after"))).toBeLessThanOrEqual(300);
    expect(errorOf(throttled.body)).toEqual({
      code: "0x80072322",
      message: "Number of requests exceeded the limit of 3 over time window of 300 seconds.",
    });
    expect(s.state.stats.throttled.requests).toBe(1);

    const other = (
      await fetchToken(s, {
        client_id: "0a0a0a0a-0000-4000-8000-000000000002",
        client_secret: "second-secret",
      })
    ).body.access_token;
    expect((await callApi(s, String(other), "GET", "WhoAmI")).status).toBe(200);
  });

  it("the window slides: with timeScale the wait is compressed and requests pass again afterwards", async () => {
    const s = await start({ limits: { requestsPerWindow: 2, timeScale: 1000 } });
    const token = await accessToken(s);
    await callApi(s, token, "GET", "WhoAmI");
    await callApi(s, token, "GET", "WhoAmI");
    const throttled = await callApi(s, token, "GET", "WhoAmI");
    expect(throttled.status).toBe(429);
    const realMs = Number(throttled.headers.get("x-sandbox-retry-after-ms"));
    expect(realMs).toBeGreaterThan(0);
    expect(realMs).toBeLessThanOrEqual(300);
    await new Promise((r) => setTimeout(r, realMs + 20));
    expect((await callApi(s, token, "GET", "WhoAmI")).status).toBe(200);
  });

  it("limits combined execution time with 0x80072321", async () => {
    const s = await start({ limits: { executionMsPerWindow: 100, extraExecutionMsPerRequest: 60 } });
    const token = await accessToken(s);
    expect((await callApi(s, token, "GET", "WhoAmI")).status).toBe(200);
    expect((await callApi(s, token, "GET", "WhoAmI")).status).toBe(200);
    const throttled = await callApi(s, token, "GET", "WhoAmI");
    expect(throttled.status).toBe(429);
    expect(errorOf(throttled.body).code).toBe("0x80072321");
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("can take the extra execution time before answering (varied by the jitter), and charges it once", async () => {
    // random() = 1: the top of the jitter, 2,000 × 1.5 = 3,000 Dataverse ms, 150 real ms at 20×.
    const s = await start({
      random: () => 1,
      limits: {
        timeScale: 20,
        extraExecutionMsPerRequest: 2000,
        extraExecutionTakesTime: true,
        executionJitter: 0.5,
      },
    });
    const token = await accessToken(s);
    const started = performance.now();
    expect((await callApi(s, token, "GET", "WhoAmI")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    const next = await callApi(s, token, "GET", "WhoAmI");
    const charged = 1_200_000 - Number(next.headers.get("x-ms-ratelimit-time-remaining-xrm-requests"));
    // The 150 ms taken plus the handling itself, scaled; charged twice it would be over 6,000.
    expect(charged).toBeGreaterThanOrEqual(2900);
    expect(charged).toBeLessThan(4500);
  });

  it("charges a request its handling time only, when the windows' clock moves while it runs (handlingClock)", async () => {
    // The burst benchmark moves the windows' clock forward to fill them; a request in flight across
    // the move must not be charged the move as execution time.
    const chargedAcrossJump = async (handlingClock?: () => number) => {
      let shift = 0;
      const s = await start({
        monotonic: () => performance.now() + shift,
        ...(handlingClock ? { handlingClock } : {}),
        faults: { latencyMs: 100 },
      });
      const token = await accessToken(s);
      const slow = callApi(s, token, "GET", "WhoAmI");
      await new Promise((r) => setTimeout(r, 30));
      shift += 100_000; // a third of a window: the request's charge still counts in the next one's
      expect((await slow).status).toBe(200);
      const next = await callApi(s, token, "GET", "WhoAmI");
      return 1_200_000 - Number(next.headers.get("x-ms-ratelimit-time-remaining-xrm-requests"));
    };
    expect(await chargedAcrossJump(() => performance.now())).toBeLessThan(1_000);
    expect(await chargedAcrossJump()).toBeGreaterThan(100_000);
  });

  it("limits concurrent requests with 0x80072326 at once", async () => {
    const s = await start({ limits: { concurrentRequests: 2 }, faults: { latencyMs: 150 } });
    const token = await accessToken(s);
    const results = await Promise.all([0, 1, 2, 3].map(() => callApi(s, token, "GET", "WhoAmI")));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429]);
    const rejected = results.find((r) => r.status === 429);
    expect(errorOf(rejected?.body ?? null)).toEqual({
      code: "0x80072326",
      message: "Number of concurrent requests exceeded the limit of 2.",
    });
    expect(rejected?.headers.get("retry-after")).toBe("1");
  });
});

describe("a client that keeps sending while throttled", () => {
  it("holds the user until the Retry-After ends, and each request sent meanwhile pushes the end later", async () => {
    // 1,000 Dataverse ms per real ms: the 300 s window lasts 300 real ms.
    const s = await start({
      limits: { requestsPerWindow: 2, timeScale: 1000, holdExtensionMs: 300_000, maxHoldMs: 1_000_000 },
    });
    const token = await accessToken(s);
    await callApi(s, token, "GET", "WhoAmI");
    await callApi(s, token, "GET", "WhoAmI");
    const first = await callApi(s, token, "GET", "WhoAmI");
    expect(first.status).toBe(429);
    const firstWait = Number(first.headers.get("retry-after"));
    // Sent during the hold: refused with the same error, and told to wait longer than before (by the
    // 300 s extension, less the time that passed meanwhile: 1 real ms is 1 Dataverse s here).
    const early = await callApi(s, token, "GET", "WhoAmI");
    expect(early.status).toBe(429);
    expect(errorOf(early.body).code).toBe("0x80072322");
    expect(Number(early.headers.get("retry-after"))).toBeGreaterThan(firstWait + 150);
    expect(s.state.stats.throttled).toMatchObject({ requests: 1, whileHeld: 1 });
    // The window alone would admit again after the first wait; the extended hold does not.
    await new Promise((r) => setTimeout(r, Number(first.headers.get("x-sandbox-retry-after-ms")) + 20));
    const again = await callApi(s, token, "GET", "WhoAmI");
    expect(again.status).toBe(429);
    expect(s.state.stats.throttled.whileHeld).toBe(2);
    // Waiting out the hold as last announced is enough.
    await new Promise((r) => setTimeout(r, Number(again.headers.get("x-sandbox-retry-after-ms")) + 20));
    expect((await callApi(s, token, "GET", "WhoAmI")).status).toBe(200);
  });

  it("a client that waits the Retry-After it was given is never held longer", async () => {
    const s = await start({ limits: { requestsPerWindow: 2, timeScale: 1000 } });
    const token = await accessToken(s);
    for (let round = 0; round < 3; round++) {
      await callApi(s, token, "GET", "WhoAmI");
      await callApi(s, token, "GET", "WhoAmI");
      const throttled = await callApi(s, token, "GET", "WhoAmI");
      expect(throttled.status).toBe(429);
      await new Promise((r) => setTimeout(r, Number(throttled.headers.get("x-sandbox-retry-after-ms")) + 20));
    }
    expect(s.state.stats.throttled.whileHeld).toBe(0);
  });

  it("with holdUntilRetryAfter off each request is judged alone", async () => {
    const s = await start({
      limits: { concurrentRequests: 1, holdUntilRetryAfter: false },
      faults: { latencyMs: 100 },
    });
    const token = await accessToken(s);
    const [a, b] = await Promise.all([
      callApi(s, token, "GET", "WhoAmI"),
      callApi(s, token, "GET", "WhoAmI"),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 429]);
    expect((await callApi(s, token, "GET", "WhoAmI")).status).toBe(200);
    expect(s.state.stats.throttled).toMatchObject({ concurrency: 1, whileHeld: 0 });
  });
});

describe("authentication", () => {
  it("answers 401 with a Bearer challenge for a missing, unknown or expired token", async () => {
    let t = Date.UTC(2026, 0, 1);
    const s = await start({ now: () => t, tokenLifetimeSeconds: 600 });
    const missing = await callApi(s, null, "GET", "WhoAmI");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe(
      `Bearer authorization_uri=${s.url}/${s.tenantId}/oauth2/authorize, resource_id=${s.url}/`,
    );
    const forged = await callApi(s, "eyJhbGciOiJIUzI1NiJ9.eyJhcHBpZCI6IngifQ.c2lnbmF0dXJl", "GET", "WhoAmI");
    expect(forged.status).toBe(401);
    expect(errorOf(forged.body).message).toMatch(/^InvalidAuthTicket/);
    const token = await accessToken(s);
    expect((await callApi(s, token, "GET", "WhoAmI")).status).toBe(200);
    t += 601_000;
    const expired = await callApi(s, token, "GET", "WhoAmI");
    expect(expired.status).toBe(401);
    expect(errorOf(expired.body).message).toMatch(/^ExpiredAuthTicket/);
    expect(s.state.stats.unauthorized).toBe(3);
  });

  it("the token endpoint answers Entra ID's error shape for a wrong secret, unknown client, bad scope and wrong tenant", async () => {
    const s = await start();
    const wrong = await fetchToken(s, { client_secret: "not-the-secret" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    expect(String(wrong.body.error_description)).toMatch(/^AADSTS7000215: /);
    expect(wrong.body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(wrong.body)).not.toContain(s.clientSecret);
    expect((await fetchToken(s, { client_id: "11111111-2222-4333-8444-555555555555" })).body.error).toBe(
      "unauthorized_client",
    );
    expect((await fetchToken(s, { scope: "https://other.crm.dynamics.com/.default" })).body.error).toBe(
      "invalid_resource",
    );
    expect((await fetchToken(s, { grant_type: "password" })).body.error).toBe("unsupported_grant_type");
    const tenant = await fetch(`${s.authorityHost}/not-a-tenant/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    });
    expect(((await tenant.json()) as Record<string, unknown>).error_codes).toEqual([90002]);
    const ok = await fetchToken(s);
    expect(ok.body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    const oidc = (await (
      await fetch(`${s.authorityHost}/${s.tenantId}/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(oidc.token_endpoint).toBe(`${s.authorityHost}/${s.tenantId}/oauth2/v2.0/token`);
    expect(Object.keys(oidc)).toEqual(
      expect.arrayContaining(["authorization_endpoint", "issuer", "jwks_uri"]),
    );
  });
});

describe("fault knobs", () => {
  it("5xx rate answers the configured status before anything runs", async () => {
    const s = await start({ faults: { errorRate: 1, errorStatus: 503 } });
    const seed = s.seed();
    const token = await accessToken(s);
    const res = await callApi(s, token, "GET", `msevtmgt_events(${seed.paidEvent.id})`);
    expect(res.status).toBe(503);
    expect(errorOf(res.body).code).toBe("0x80040216");
    s.setFaults({ errorRate: 0 });
    expect((await callApi(s, token, "GET", `msevtmgt_events(${seed.paidEvent.id})`)).status).toBe(200);
  });

  it("per-action failure injection fails the named action a given number of times", async () => {
    const s = await start();
    const seed = s.seed();
    const token = await accessToken(s);
    const id = s.register({
      readableEventId: seed.paidEvent.readableEventId,
      attendees: twoAttendees([seed.paidEvent.passes[0]!.id, seed.paidEvent.passes[1]!.id]),
    }).purchaseId;
    s.setFaults({ failures: { msevtmgt_FinalizeExternalRegistrationRequest: { status: 502, times: 1 } } });
    const body = { PurchaseId: id, ReadableEventId: seed.paidEvent.readableEventId, UserId: "" };
    expect(
      (await callApi(s, token, "POST", "msevtmgt_FinalizeExternalRegistrationRequest", body)).status,
    ).toBe(502);
    expect(s.state.purchase(id!).processed).toBe(false);
    expect(
      (await callApi(s, token, "POST", "msevtmgt_GetPurchaseDetailsAction", { PurchaseId: id })).status,
    ).toBe(200);
    expect(
      (await callApi(s, token, "POST", "msevtmgt_FinalizeExternalRegistrationRequest", body)).status,
    ).toBe(200);
  });

  it("drop-after-commit commits the finalize, then cuts the connection without an answer", async () => {
    const s = await start({
      faults: { dropAfterCommit: { segments: ["msevtmgt_FinalizeExternalRegistrationRequest"], times: 1 } },
    });
    const seed = s.seed();
    const token = await accessToken(s);
    const id = s.register({
      readableEventId: seed.paidEvent.readableEventId,
      attendees: twoAttendees([seed.paidEvent.passes[0]!.id, seed.paidEvent.passes[1]!.id]),
    }).purchaseId!;
    const body = { PurchaseId: id, ReadableEventId: seed.paidEvent.readableEventId, UserId: "" };
    await expect(
      callApi(s, token, "POST", "msevtmgt_FinalizeExternalRegistrationRequest", body),
    ).rejects.toThrow();
    expect(s.state.purchase(id)).toMatchObject({ processed: true });
    expect(s.state.purchase(id).registrationIds).toHaveLength(2);
    const retry = await callApi(s, token, "POST", "msevtmgt_FinalizeExternalRegistrationRequest", body);
    expect(retry.body?.status).toBe("Success");
    expect(s.state.purchase(id).registrationIds).toHaveLength(2);
    expect(s.state.stats.faults.dropped).toBe(1);
  });

  it("latency is added to each Web API request", async () => {
    const s = await start({ faults: { latencyMs: 120 } });
    const token = await accessToken(s);
    const started = performance.now();
    await callApi(s, token, "GET", "WhoAmI");
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });
});

describe("persistence", () => {
  it("a restart on the same SQLite file keeps rows, credentials, and accepts tokens for the same URL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dv-stand-in-"));
    try {
      const dbPath = join(dir, "dataverse.sqlite");
      const first = await startDataverseStandIn({ dbPath });
      const seed = first.seed();
      const id = first.register({
        readableEventId: seed.paidEvent.readableEventId,
        attendees: twoAttendees([seed.paidEvent.passes[0]!.id, seed.paidEvent.passes[1]!.id]),
      }).purchaseId!;
      const port = Number(new URL(first.url).port);
      const token = await accessToken(first);
      const credentials = {
        clientId: first.clientId,
        clientSecret: first.clientSecret,
        tenantId: first.tenantId,
      };
      await first.close();

      const second = await start({ dbPath, port });
      expect({
        clientId: second.clientId,
        clientSecret: second.clientSecret,
        tenantId: second.tenantId,
      }).toEqual(credentials);
      const res = await callApi(second, token, "POST", "msevtmgt_FinalizeExternalRegistrationRequest", {
        PurchaseId: id,
        ReadableEventId: seed.paidEvent.readableEventId,
        UserId: "",
      });
      expect(res.body?.status).toBe("Success");
      expect(second.state.purchase(id).registrationIds).toHaveLength(2);
      second.seed();
      expect(second.state.list("msevtmgt_events")).toHaveLength(2);
    } finally {
      while (open.length) await open.pop()?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
