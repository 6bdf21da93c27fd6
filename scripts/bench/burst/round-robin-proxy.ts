// A loopback load balancer for the crash loop with several instances: the provider stand-in
// delivers every webhook to this one URL, which hands each request to the next instance in turn;
// an instance that refuses the connection (killed, restarting) is skipped, as a balancer's health
// check would, and when none answers the provider gets a 502 and delivers again later.

import { createServer, request } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  url: string;
  close(): Promise<void>;
}

function forwardOnce(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | null> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === "string" && k !== "host" && k !== "connection") headers[k] = v;
    const out = request(
      { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const answer: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (typeof v === "string" && k !== "connection" && k !== "transfer-encoding") answer[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: answer, body: Buffer.concat(chunks) });
        });
        res.on("error", () => resolve(null));
      },
    );
    out.on("error", () => resolve(null));
    out.end(body);
  });
}

export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  const urls = targets.map((t) => new URL(t));
  let next = 0;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const first = next++;
    for (let k = 0; k < urls.length; k++) {
      const answer = await forwardOnce(urls[(first + k) % urls.length]!, req, body);
      if (answer) {
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
    }
    res.writeHead(502).end("no instance answered");
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
