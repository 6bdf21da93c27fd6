// A local stand-in for Stripe's API, for the adapter tests: node:http on 127.0.0.1, port 0.
// It answers only the requests a test announced (in order), records exactly what crossed the
// wire (method, path, query, headers, form fields), and reports anything unannounced so the test
// fails in assertDone().

import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The form-encoded body as flat Stripe keys (e.g. "metadata[purchaseId]"). */
  form: Record<string, string>;
}

export interface FakeReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Expectation {
  method: string;
  path: string;
  reply: (request: RecordedRequest) => FakeReply;
}

export interface FakeStripeApi {
  url: string;
  requests: RecordedRequest[];
  unexpected: string[];
  /** Announce the next request and how to answer it. */
  expect(method: string, path: string, reply: FakeReply | ((request: RecordedRequest) => FakeReply)): void;
  /** Throw if a request was unexpected or an announced one never came. */
  assertDone(): void;
  close(): Promise<void>;
}

function toRecord(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in out) throw new Error(`form field ${key} sent twice`);
    out[key] = value;
  }
  return out;
}

export async function startFakeStripeApi(): Promise<FakeStripeApi> {
  const expectations: Expectation[] = [];
  const requests: RecordedRequest[] = [];
  const unexpected: string[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const body = Buffer.concat(chunks).toString("utf8");
      let recorded: RecordedRequest;
      try {
        recorded = {
          method: req.method ?? "",
          path: url.pathname,
          query: toRecord(url.searchParams),
          headers: req.headers,
          form: toRecord(new URLSearchParams(body)),
        };
      } catch (error) {
        unexpected.push(`${req.method} ${url.pathname}: ${(error as Error).message}`);
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { type: "invalid_request_error", message: "fake: bad request" } }));
        return;
      }
      requests.push(recorded);
      const next = expectations[0];
      if (!next || next.method !== recorded.method || next.path !== recorded.path) {
        unexpected.push(
          `${recorded.method} ${recorded.path}` +
            (next ? ` (expected ${next.method} ${next.path})` : " (nothing expected)"),
        );
        // 400 so the SDK does not retry; the test fails in assertDone() anyway.
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: { type: "invalid_request_error", message: "fake: unexpected request" } }),
        );
        return;
      }
      expectations.shift();
      const reply = next.reply(recorded);
      res.writeHead(reply.status ?? 200, {
        "content-type": "application/json",
        "request-id": `req_fake_${requests.length}`,
        ...reply.headers,
      });
      res.end(JSON.stringify(reply.body));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unexpected,
    expect(method, path, reply) {
      expectations.push({ method, path, reply: typeof reply === "function" ? reply : () => reply });
    },
    assertDone() {
      const problems = [
        ...unexpected.map((u) => `unexpected request ${u}`),
        ...expectations.map((e) => `expected request never came: ${e.method} ${e.path}`),
      ];
      if (problems.length > 0) throw new Error(problems.join("\n"));
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
