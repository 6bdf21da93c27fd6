import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDataverseClient } from "../../confirmation-endpoint/dataverse/dataverse-client";
import type {
  DataverseClient,
  DataverseClientOptions,
} from "../../confirmation-endpoint/dataverse/dataverse-client";
import {
  DataverseConfigError,
  DataverseError,
  DeadlineExceededError,
} from "../../confirmation-endpoint/dataverse/errors";
import type { DataverseLogEntry } from "../../confirmation-endpoint/dataverse/log";
import { API, dataverseError, fakeClock, parseForm, startFakeDataverse } from "./fake-dataverse";
import type { FakeDataverse } from "./fake-dataverse";

const CLIENT_ID = "11111111-1111-1111-1111-111111111111";
const SECRET = "s3cret-value-never-logged";

let fake: FakeDataverse;
let clock: ReturnType<typeof fakeClock>;
let client: DataverseClient | undefined;
let logs: DataverseLogEntry[];

beforeEach(async () => {
  fake = await startFakeDataverse();
  clock = fakeClock();
  logs = [];
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await fake.close();
});

function makeClient(extra: Partial<DataverseClientOptions> = {}): DataverseClient {
  client = createDataverseClient({
    url: fake.url,
    tenantId: fake.tenantId,
    clientId: CLIENT_ID,
    credentials: [{ clientSecret: SECRET }],
    authorityHost: fake.url,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    log: (entry) => logs.push(entry),
    ...extra,
  });
  return client;
}

const ok =
  (body: unknown = { value: [] }) =>
  () => ({ status: 200, body });

describe("requests", () => {
  it("sends the OData headers, bearer token and JSON body to the exact URL", async () => {
    const c = makeClient();
    fake.expect("POST", `${API}msevtmgt_SomeAction`, ok({ "@odata.context": "x", Out: 1 }));
    fake.expect("GET", `${API}accounts?$select=name`, ok());
    const posted = await c.post("msevtmgt_SomeAction", { PurchaseId: "abc" });
    await c.get("accounts?$select=name");
    fake.assertDone();
    expect(posted.data).toEqual({ "@odata.context": "x", Out: 1 });
    const [post, get] = fake.requests;
    expect(post?.body).toBe('{"PurchaseId":"abc"}');
    expect(post?.headers).toMatchObject({
      accept: "application/json",
      "odata-maxversion": "4.0",
      "odata-version": "4.0",
      "content-type": "application/json; charset=utf-8",
      authorization: "Bearer tok-1",
      prefer:
        'odata.include-annotations="Microsoft.PowerApps.CDS.ErrorDetails*,Microsoft.PowerApps.CDS.HelpLink"',
    });
    expect(post?.headers["if-none-match"]).toBeUndefined();
    expect(get?.headers["if-none-match"]).toBe("null");
    expect(get?.headers["content-type"]).toBeUndefined();
  });

  it("asks the token endpoint once, with client credentials for <url>/.default, and logs no secret or token", async () => {
    const c = makeClient();
    fake.expect("GET", `${API}WhoAmI`, ok({ UserId: "u" }));
    await c.get("WhoAmI");
    fake.assertDone();
    expect(fake.tokenRequests).toHaveLength(1);
    const token = fake.tokenRequests[0]!;
    expect(token.url).toMatch(new RegExp(`^/${fake.tenantId}/oauth2/v2\\.0/token`));
    const form = parseForm(token.body);
    expect(form).toMatchObject({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: SECRET,
      scope: `${fake.url}/.default`,
    });
    expect(c.metrics().tokenRequests).toBe(1);
    const logged = JSON.stringify(logs);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain("tok-1");
  });

  it("uses the configured API version", async () => {
    const c = makeClient({ apiVersion: "v9.1" });
    fake.expect("GET", "/api/data/v9.1/WhoAmI", ok());
    await c.get("WhoAmI");
    fake.assertDone();
    expect(c.baseUrl).toBe(`${fake.url}/api/data/v9.1/`);
  });
});

describe("throttling", () => {
  it("waits Retry-After seconds after a 429, then succeeds", async () => {
    const c = makeClient();
    fake.expect("GET", `${API}WhoAmI`, () =>
      dataverseError(429, "0x80072322", "Number of requests exceeded the limit", { "retry-after": "7" }),
    );
    fake.expect("GET", `${API}WhoAmI`, ok());
    await c.get("WhoAmI");
    fake.assertDone();
    expect(clock.sleeps).toEqual([7000]);
    expect(c.metrics()).toMatchObject({ throttles: 1, retries: 1, requests: 2 });
  });

  it("honours Retry-After given as an HTTP-date", async () => {
    const c = makeClient();
    fake.expect("GET", `${API}WhoAmI`, () =>
      dataverseError(429, "0x80072321", "Combined execution time exceeded", {
        "retry-after": new Date(clock.t + 12_000).toUTCString(),
      }),
    );
    fake.expect("GET", `${API}WhoAmI`, ok());
    await c.get("WhoAmI");
    fake.assertDone();
    expect(clock.sleeps).toEqual([12_000]);
  });

  it.each([
    ["0x80072322", 429],
    ["0x80072321", 429],
    ["0x80072326", 429],
    ["-2147015902", 503],
    ["-2147015903", 400],
    ["-2147015898", 503],
    ["0x80072326", 503],
  ])("treats code %s (HTTP %i) as throttling, also on a POST", async (code, status) => {
    const c = makeClient();
    fake.expect(
      "POST",
      `${API}msevtmgt_Act`,
      () => dataverseError(status, code, "throttled", { "retry-after": "2" }),
      3,
    );
    fake.expect("POST", `${API}msevtmgt_Act`, ok({ status: "Success" }));
    const response = await c.post("msevtmgt_Act", { a: 1 });
    fake.assertDone();
    expect(response.data).toEqual({ status: "Success" });
    expect(clock.sleeps).toEqual([2000, 2000, 2000]);
    expect(c.metrics().throttles).toBe(3);
  });

  it("backs off with jitter when a 429 has no Retry-After", async () => {
    const c = makeClient({ backoffBaseMs: 1000 });
    fake.expect("GET", `${API}WhoAmI`, () => dataverseError(429, "0x80072322", "busy"), 2);
    fake.expect("GET", `${API}WhoAmI`, ok());
    await c.get("WhoAmI");
    fake.assertDone();
    // random 0.5: between half and all of 1000·2^n
    expect(clock.sleeps).toEqual([750, 1500]);
  });

  it("gives up at once with DeadlineExceededError when Retry-After ends past the deadline", async () => {
    const c = makeClient();
    fake.expect("POST", `${API}msevtmgt_Act`, () =>
      dataverseError(429, "0x80072322", "busy", { "retry-after": "300" }),
    );
    const started = Date.now();
    const error = await c.post("msevtmgt_Act", {}, { deadline: clock.t + 60_000 }).catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).code).toBe("DEADLINE_EXCEEDED");
    expect(((error as Error).cause as DataverseError).code).toBe("0x80072322");
    expect(clock.sleeps).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(c.metrics().deadlineExceeded).toBe(1);
  });

  it("does not start a backoff pause that would end past the deadline", async () => {
    const c = makeClient({ backoffBaseMs: 10_000 });
    fake.expect("GET", `${API}WhoAmI`, () => dataverseError(503, "", "Service Unavailable"));
    const error = await c.get("WhoAmI", { deadline: clock.t + 3000 }).catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(clock.sleeps).toEqual([]);
  });

  it("a 429 storm ends after maxThrottleRetries with the Dataverse error", async () => {
    const c = makeClient({ maxThrottleRetries: 3 });
    fake.expect(
      "GET",
      `${API}WhoAmI`,
      () => dataverseError(429, "0x80072322", "busy", { "retry-after": "1" }),
      4,
    );
    const error = await c.get("WhoAmI").catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toBeInstanceOf(DataverseError);
    expect(error).toMatchObject({ status: 429, code: "0x80072322", retryable: true, retryAfterMs: 1000 });
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
  });
});

describe("tokens", () => {
  it("refreshes the token once after a 401 and retries", async () => {
    const c = makeClient();
    fake.expect("GET", `${API}WhoAmI`, () => dataverseError(401, "0x8006088a", "ExpiredAuthTicket"));
    fake.expect("GET", `${API}WhoAmI`, ok());
    await c.get("WhoAmI");
    fake.assertDone();
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual(["Bearer tok-1", "Bearer tok-2"]);
    expect(clock.sleeps).toEqual([]);
  });

  it("fails after a second 401 without looping: exactly 2 token requests and 2 calls", async () => {
    const c = makeClient();
    fake.expect("GET", `${API}WhoAmI`, () => dataverseError(401, "", "InvalidAuthTicket"), 2);
    const error = await c.get("WhoAmI").catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toBeInstanceOf(DataverseError);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect((error as Error).message).toContain("Finalize RegistrationService");
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });

  it("20 concurrent first calls send exactly one token request", async () => {
    const c = makeClient({ maxConcurrency: 20 });
    fake.expect("GET", `${API}WhoAmI`, ok(), 20);
    await Promise.all(Array.from({ length: 20 }, () => c.get("WhoAmI")));
    fake.assertDone();
    expect(fake.tokenRequests).toHaveLength(1);
  });

  it("reuses a short-lived token (expires_in 240, which msal alone never caches) until close to expiry", async () => {
    fake.tokenAnswer = (_r, n) => ({ accessToken: `short-${n}`, expiresIn: 240 });
    const c = makeClient();
    fake.expect("GET", `${API}WhoAmI`, ok(), 4);
    await c.get("WhoAmI");
    await c.get("WhoAmI");
    await c.get("WhoAmI");
    expect(fake.tokenRequests).toHaveLength(1);
    clock.t += 200_000; // past lifetime − a quarter of it (180 s)
    await c.get("WhoAmI");
    fake.assertDone();
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.requests.at(-1)?.headers.authorization).toBe("Bearer short-2");
  });

  it("a refused credential fails with DataverseAuthError without retrying", async () => {
    fake.tokenAnswer = () => ({ status: 401 });
    const c = makeClient();
    const error = await c.get("WhoAmI").catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toMatchObject({ code: "DATAVERSE_AUTH", retryable: false });
    expect((error as Error).message).not.toContain(SECRET);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("transient failures", () => {
  it("retries a GET after 5xx with exponential backoff and jitter", async () => {
    const c = makeClient({ backoffBaseMs: 500 });
    fake.expect("GET", `${API}WhoAmI`, () =>
      dataverseError(500, "0x80040216", "An unexpected error occurred."),
    );
    fake.expect("GET", `${API}WhoAmI`, () => ({ status: 503, body: "upstream down" }));
    fake.expect("GET", `${API}WhoAmI`, ok());
    await c.get("WhoAmI");
    fake.assertDone();
    expect(clock.sleeps).toEqual([375, 750]);
    expect(c.metrics().retries).toBe(2);
  });

  it("stops after maxAttempts and throws the last error, retryable", async () => {
    const c = makeClient({ maxAttempts: 3 });
    fake.expect("GET", `${API}WhoAmI`, () => dataverseError(502, "", "Bad gateway"), 3);
    const error = await c.get("WhoAmI").catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toMatchObject({ status: 502, retryable: true, ambiguous: true });
  });

  it("does not resend a POST after a 5xx (the caller settles it) and marks the error ambiguous", async () => {
    const c = makeClient();
    fake.expect("POST", `${API}msevtmgt_Act`, () => dataverseError(500, "0x80040216", "Generic SQL error."));
    const error = await c.post("msevtmgt_Act", {}).catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toMatchObject({ status: 500, code: "0x80040216", ambiguous: true, retryable: true });
  });

  it("retries a GET after a timeout", async () => {
    const c = makeClient({ timeoutMs: 150 });
    fake.expect("GET", `${API}WhoAmI`, () => "hang");
    fake.expect("GET", `${API}WhoAmI`, ok());
    await c.get("WhoAmI");
    fake.assertDone();
    expect(clock.sleeps).toHaveLength(1);
  });

  it("a POST timeout is ambiguous and not resent", async () => {
    const c = makeClient({ timeoutMs: 150 });
    fake.expect("POST", `${API}msevtmgt_Act`, () => "hang");
    const error = await c.post("msevtmgt_Act", {}).catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toMatchObject({ status: 0, code: "ETIMEDOUT", ambiguous: true, retryable: true });
  });

  it("retries a PATCH and even a POST after a 503: the service did not take the request", async () => {
    const c = makeClient();
    fake.expect("PATCH", `${API}msevtmgt_events(e1)`, () => dataverseError(503, "", "Service Unavailable"));
    fake.expect("PATCH", `${API}msevtmgt_events(e1)`, () => ({ status: 204 }));
    fake.expect("POST", `${API}msevtmgt_Act`, () => dataverseError(503, "", "Service Unavailable"));
    fake.expect("POST", `${API}msevtmgt_Act`, () => ({ status: 204 }));
    const response = await c.patch("msevtmgt_events(e1)", { msevtmgt_name: "x" });
    expect((await c.post("msevtmgt_Act", {})).status).toBe(204);
    fake.assertDone();
    expect(response.status).toBe(204);
    expect(response.data).toBeNull();
  });

  it("a POST 502 or 504 stays ambiguous and is not resent", async () => {
    const c = makeClient();
    fake.expect("POST", `${API}msevtmgt_Act`, () => dataverseError(502, "", "Bad Gateway"));
    fake.expect("POST", `${API}msevtmgt_Act`, () => dataverseError(504, "", "Gateway Timeout"));
    await expect(c.post("msevtmgt_Act", {})).rejects.toMatchObject({ status: 502, ambiguous: true });
    await expect(c.post("msevtmgt_Act", {})).rejects.toMatchObject({ status: 504, ambiguous: true });
    fake.assertDone();
  });

  it("a cancelled call rejects with the caller's reason and nothing holding the token", async () => {
    const c = makeClient();
    const controller = new AbortController();
    fake.expect("GET", `${API}WhoAmI`, () => {
      controller.abort(new Error("shutting down"));
      return "hang";
    });
    const error = await c.get("WhoAmI", { signal: controller.signal }).catch((e: unknown) => e);
    fake.assertDone();
    expect((error as Error).message).toBe("shutting down");
  });

  it("retries a GET after ECONNRESET; a POST reset is ambiguous", async () => {
    const c = makeClient();
    fake.expect("GET", `${API}WhoAmI`, () => "reset");
    fake.expect("GET", `${API}WhoAmI`, ok());
    fake.expect("POST", `${API}msevtmgt_Act`, () => "reset");
    await c.get("WhoAmI");
    const error = await c.post("msevtmgt_Act", {}).catch((e: unknown) => e);
    fake.assertDone();
    expect(error).toMatchObject({ status: 0, code: "ECONNRESET", ambiguous: true });
  });

  it.each([400, 403, 404, 412])(
    "does not retry HTTP %i and keeps the Dataverse code, message and details",
    async (status) => {
      const c = makeClient();
      fake.expect("GET", `${API}WhoAmI`, () => ({
        status,
        headers: { "x-ms-service-request-id": "req-42" },
        body: {
          error: {
            code: "0x80040217",
            message: "The record does not exist",
            "@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode": "-2146233088",
          },
        },
      }));
      const error = await c.get("WhoAmI").catch((e: unknown) => e);
      fake.assertDone();
      expect(error).toBeInstanceOf(DataverseError);
      expect(error).toMatchObject({
        status,
        code: "0x80040217",
        subErrorCode: "-2146233088",
        requestId: "req-42",
        retryable: false,
      });
      expect((error as Error).message).toContain("The record does not exist");
      expect(clock.sleeps).toEqual([]);
    },
  );
});

describe("concurrency and several application users", () => {
  it("keeps at most maxConcurrency calls in flight and lowers it to x-ms-dop-hint", async () => {
    const c = makeClient({ maxConcurrency: 3 });
    const slow = () =>
      new Promise<{ status: number; body: unknown }>((r) =>
        setTimeout(() => r({ status: 200, body: {} }), 20),
      );
    fake.expect("GET", `${API}WhoAmI`, slow, 12);
    await Promise.all(Array.from({ length: 12 }, () => c.get("WhoAmI")));
    expect(fake.maxInFlight).toBe(3);
    fake.expect("GET", `${API}WhoAmI`, () => ({ status: 200, headers: { "x-ms-dop-hint": "1" }, body: {} }));
    await c.get("WhoAmI");
    fake.maxInFlight = 0;
    fake.expect("GET", `${API}WhoAmI`, slow, 6);
    await Promise.all(Array.from({ length: 6 }, () => c.get("WhoAmI")));
    fake.assertDone();
    expect(fake.maxInFlight).toBe(1);
    expect(c.metrics().users[0]?.concurrencyCap).toBe(1);
  });

  it("spreads calls over three users, each with its own token", async () => {
    const c = makeClient({
      credentials: [
        { label: "a", clientId: "aaaaaaaa-0000-0000-0000-000000000001", clientSecret: "sa" },
        { label: "b", clientId: "aaaaaaaa-0000-0000-0000-000000000002", clientSecret: "sb" },
        { label: "c", clientId: "aaaaaaaa-0000-0000-0000-000000000003", clientSecret: "sc" },
      ],
    });
    fake.tokenAnswer = (request) => ({
      accessToken: `tok-${parseForm(request.body).client_id}`,
      expiresIn: 3600,
    });
    const slow = () =>
      new Promise<{ status: number; body: unknown }>((r) =>
        setTimeout(() => r({ status: 200, body: {} }), 10),
      );
    fake.expect("GET", `${API}WhoAmI`, slow, 30);
    await Promise.all(Array.from({ length: 30 }, () => c.get("WhoAmI")));
    fake.assertDone();
    expect(fake.tokenRequests.map((r) => parseForm(r.body).client_id).sort()).toEqual([
      "aaaaaaaa-0000-0000-0000-000000000001",
      "aaaaaaaa-0000-0000-0000-000000000002",
      "aaaaaaaa-0000-0000-0000-000000000003",
    ]);
    const perUser = c.metrics().users.map((u) => u.requests);
    expect(perUser.reduce((a, b) => a + b, 0)).toBe(30);
    // the first twelve calls fill every user's four slots; later ones go where a slot frees first
    for (const n of perUser) expect(n).toBeGreaterThanOrEqual(4);
    expect(fake.maxInFlight).toBeLessThanOrEqual(12);
    expect(fake.maxInFlight).toBeGreaterThan(4);
  });

  it("a 429 on one user does not stall the others", async () => {
    const c = makeClient({
      credentials: [
        { label: "a", clientId: "aaaaaaaa-0000-0000-0000-000000000001", clientSecret: "sa" },
        { label: "b", clientId: "aaaaaaaa-0000-0000-0000-000000000002", clientSecret: "sb" },
      ],
    });
    fake.tokenAnswer = (request) => ({
      accessToken: `tok-${(parseForm(request.body).client_id ?? "").slice(-1)}`,
      expiresIn: 3600,
    });
    fake.expect(
      "GET",
      `${API}WhoAmI`,
      (r) =>
        r.headers.authorization === "Bearer tok-1"
          ? dataverseError(429, "0x80072322", "busy", { "retry-after": "120" })
          : { status: 200, body: {} },
      1,
    );
    fake.expect(
      "GET",
      `${API}WhoAmI`,
      (r) => {
        expect(r.headers.authorization).toBe("Bearer tok-2");
        return { status: 200, body: {} };
      },
      5,
    );
    for (let i = 0; i < 5; i++) await c.get("WhoAmI");
    fake.assertDone();
    expect(clock.sleeps).toEqual([]);
    expect(c.metrics().users.map((u) => u.throttledUntil !== null)).toEqual([true, false]);
  });
});

describe("configuration", () => {
  it("lists every problem at once", () => {
    let error: unknown;
    try {
      createDataverseClient({
        url: "ftp://x",
        tenantId: "",
        clientId: "",
        credentials: [{ clientSecret: "" } as never],
        apiVersion: "9.2",
        maxConcurrency: 0,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataverseConfigError);
    const problems = (error as DataverseConfigError).problems.join("\n");
    expect(problems).toMatch(/url must be https/);
    expect(problems).toMatch(/tenantId is missing/);
    expect(problems).toMatch(/clientId is missing/);
    expect(problems).toMatch(/exactly one of a client secret, a certificate or a managed identity/);
    expect(problems).toMatch(/apiVersion/);
    expect(problems).toMatch(/maxConcurrency/);
  });
});
