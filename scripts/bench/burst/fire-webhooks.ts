// Open-loop load: signed webhook bodies POSTed at a fixed rate whatever the answers do (a slow
// receiver does not slow the sender, as with Stripe during a ticket drop), each ack timed from the
// moment it was sent to the end of the answer.

import { Agent, request } from "node:http";

export interface FireResult {
  sent: number;
  /** Answers by status ("timeout" and "error" included). */
  statuses: Record<string, number>;
  /** Ack latencies in ms, ascending; a timeout counts as the timeout. */
  latenciesMs: number[];
  /** Real seconds from the first send to the last answer. */
  seconds: number;
  /** Each ack in the order sent: ms after the first send, its latency (as in latenciesMs), the URL's index. */
  timeline: Array<{ sentMs: number; latencyMs: number; target: number }>;
}

function postOnce(
  agent: Agent,
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(String(res.statusCode ?? 0)));
        res.on("error", () => resolve("error"));
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve("timeout");
    });
    req.on("error", () => resolve("error"));
    req.end(body);
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/**
 * POSTs each body at `ratePerSecond`; `headersFor` signs each one just before it is sent. Several
 * URLs (endpoint instances): the bodies are dealt out to them in turn, as a load balancer would.
 */
export async function fireWebhooks(options: {
  url: string | readonly string[];
  bodies: readonly string[];
  ratePerSecond: number;
  headersFor: (body: string) => Record<string, string>;
  timeoutMs: number;
}): Promise<FireResult> {
  const urls = (typeof options.url === "string" ? [options.url] : options.url).map((u) => new URL(u));
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const timeline: FireResult["timeline"] = [];
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  let lastAnswer = start;
  for (let i = 0; i < options.bodies.length; i++) {
    const due = start + (i * 1000) / options.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = options.bodies[i] as string;
    const sentAt = performance.now();
    const target = i % urls.length;
    const ack = { sentMs: sentAt - start, latencyMs: Number.NaN, target };
    timeline.push(ack);
    pending.push(
      postOnce(agent, urls[target]!, body, options.headersFor(body), options.timeoutMs).then((status) => {
        const now = performance.now();
        lastAnswer = Math.max(lastAnswer, now);
        statuses[status] = (statuses[status] ?? 0) + 1;
        ack.latencyMs = status === "timeout" ? options.timeoutMs : now - sentAt;
        latencies.push(ack.latencyMs);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    sent: options.bodies.length,
    statuses,
    latenciesMs: latencies,
    timeline,
    seconds: (lastAnswer - start) / 1000,
  };
}
