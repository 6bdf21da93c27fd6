// A local stand-in for the token endpoint and the Dataverse Web API, on 127.0.0.1 port 0. Every
// Web API request must match an expectation the test declared; anything else is recorded as
// unexpected and `assertDone()` fails the test. Token requests are always answered and recorded.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. /api/data/v9.2/msevtmgt_eventpurchases(…)?$select=… */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** "reset": destroy the socket after reading the request; "hang": never answer. */
export type Responder = (
  request: RecordedRequest,
) => FakeAnswer | "reset" | "hang" | Promise<FakeAnswer | "reset" | "hang">;

interface Expectation {
  method: string;
  path: string | RegExp;
  respond: Responder;
  remaining: number;
}

export interface TokenAnswer {
  status?: number;
  accessToken?: string;
  expiresIn?: number;
}

export interface FakeDataverse {
  /** The organisation URL (also the authority host: both live on one server). */
  url: string;
  tenantId: string;
  /** Declares `times` requests (default 1) the test expects, matched in order of declaration. */
  expect(method: string, path: string | RegExp, respond: Responder, times?: number): void;
  /** Everything that reached the Web API (matched or not), in arrival order. */
  requests: RecordedRequest[];
  tokenRequests: RecordedRequest[];
  unexpected: RecordedRequest[];
  /** Highest number of Web API requests in flight at once. */
  maxInFlight: number;
  tokenAnswer: (request: RecordedRequest, n: number) => TokenAnswer;
  /** Throws when a request was unexpected or an expectation was not used up. */
  assertDone(): void;
  close(): Promise<void>;
}

export const API = "/api/data/v9.2/";

function pathOf(url: string): string {
  return decodeURIComponent(url);
}

export async function startFakeDataverse(
  tenantId = "00000000-0000-0000-0000-0000000000aa",
): Promise<FakeDataverse> {
  const expectations: Expectation[] = [];
  let inFlight = 0;
  const fake: FakeDataverse = {
    url: "",
    tenantId,
    requests: [],
    tokenRequests: [],
    unexpected: [],
    maxInFlight: 0,
    tokenAnswer: (_request, n) => ({ accessToken: `tok-${n}`, expiresIn: 3600 }),
    expect(method, path, respond, times = 1) {
      expectations.push({ method, path, respond, remaining: times });
    },
    assertDone() {
      const problems: string[] = [];
      for (const request of fake.unexpected)
        problems.push(`unexpected request ${request.method} ${request.url}`);
      for (const e of expectations) {
        if (e.remaining > 0) problems.push(`expected ${e.remaining} more ${e.method} ${String(e.path)}`);
      }
      if (problems.length > 0) throw new Error(`fake Dataverse: ${problems.join("; ")}`);
    },
    close: async () => {},
  };

  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
      };
      void answer(recorded, res, req);
    });
  });

  async function answer(
    recorded: RecordedRequest,
    res: http.ServerResponse,
    req: http.IncomingMessage,
  ): Promise<void> {
    if (recorded.method === "POST" && recorded.url.startsWith(`/${tenantId}/oauth2/v2.0/token`)) {
      fake.tokenRequests.push(recorded);
      const t = fake.tokenAnswer(recorded, fake.tokenRequests.length);
      res.writeHead(t.status ?? 200, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          (t.status ?? 200) === 200
            ? {
                token_type: "Bearer",
                access_token: t.accessToken,
                expires_in: t.expiresIn,
                ext_expires_in: t.expiresIn,
              }
            : {
                error: "invalid_client",
                error_description: "AADSTS7000215: Invalid client secret provided.",
              },
        ),
      );
      return;
    }
    fake.requests.push(recorded);
    const path = pathOf(recorded.url);
    const match = expectations.find(
      (e) =>
        e.remaining > 0 &&
        e.method === recorded.method &&
        (typeof e.path === "string" ? path === e.path : e.path.test(path)),
    );
    if (!match) {
      fake.unexpected.push(recorded);
      res.writeHead(418, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { code: "UNEXPECTED", message: `fake got unexpected ${recorded.method} ${path}` },
        }),
      );
      return;
    }
    match.remaining--;
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    try {
      const result = await match.respond(recorded);
      if (result === "reset") {
        req.socket.destroy();
        return;
      }
      if (result === "hang") return;
      const headers = { "content-type": "application/json; odata.metadata=minimal", ...result.headers };
      res.writeHead(result.status, headers);
      res.end(
        result.body === undefined
          ? ""
          : typeof result.body === "string"
            ? result.body
            : JSON.stringify(result.body),
      );
    } finally {
      inFlight--;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** A Dataverse error body as the Web API sends it. */
export function dataverseError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): FakeAnswer {
  return { status, headers, body: { error: { code, message } } };
}

/** A controllable clock: `sleep` records the pause and moves time forward instead of waiting. */
export function fakeClock(start = Date.UTC(2026, 0, 15, 10, 0, 0)) {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return clock;
}

export function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}
