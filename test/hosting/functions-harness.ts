// For the Azure Functions tests: a recorder standing in for `app` (it keeps each registered
// handler), invocation with the library's own HttpRequest and InvocationContext, and a loopback
// bridge that turns the provider stand-in's webhook POSTs into invocations of the webhook function.

import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequest, InvocationContext } from "@azure/functions";
import type { HttpFunctionOptions, HttpResponseInit, Timer, TimerFunctionOptions } from "@azure/functions";
import type { FunctionsRegistrar } from "../../confirmation-endpoint/hosting/azure-functions";

export interface Recorded extends FunctionsRegistrar {
  http: FunctionsRegistrar["http"];
  routes: Map<string, HttpFunctionOptions>;
  timers: Map<string, TimerFunctionOptions>;
}

export function recordRegistrations(): Recorded {
  const routes = new Map<string, HttpFunctionOptions>();
  const timers = new Map<string, TimerFunctionOptions>();
  return {
    routes,
    timers,
    http: (name, options) => void routes.set(name, options),
    timer: (name, options) => void timers.set(name, options),
  };
}

export const FUNCTION_HOST = "https://kit-functions.azurewebsites.invalid";

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

function bodyText(body: HttpResponseInit["body"]): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  throw new Error("unexpected body type in a test answer");
}

/** Invokes the HTTP function `name` as the Functions host would. */
export async function invoke(
  recorded: Recorded,
  name: string,
  init: { method: string; path: string; headers?: Record<string, string>; body?: string | Uint8Array },
): Promise<Answer> {
  const options = recorded.routes.get(name);
  if (!options) throw new Error(`no function named ${name} was registered`);
  const body =
    init.body === undefined
      ? undefined
      : typeof init.body === "string"
        ? { string: init.body }
        : { bytes: init.body };
  const request = new HttpRequest({
    method: init.method,
    url: `${FUNCTION_HOST}${init.path}`,
    headers: { "x-forwarded-for": "203.0.113.7:53012", ...init.headers },
    ...(body ? { body } : {}),
  });
  const context = new InvocationContext({ functionName: name, invocationId: randomUUID() });
  const answer = (await options.handler(request, context)) as HttpResponseInit;
  const headers: Record<string, string> = {};
  new Headers(answer.headers as HeadersInit | undefined).forEach((v, k) => (headers[k] = v));
  return { status: answer.status ?? 200, headers, text: bodyText(answer.body) };
}

export async function tick(recorded: Recorded, name = "worker"): Promise<void> {
  const options = recorded.timers.get(name);
  if (!options) throw new Error(`no timer named ${name} was registered`);
  const now = new Date().toISOString();
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: now, next: now, lastUpdated: now },
  };
  await options.handler(timer, new InvocationContext({ functionName: name, invocationId: randomUUID() }));
}

/** http://127.0.0.1:<port>: each POST becomes an invocation of the webhook function. */
export async function startWebhookBridge(
  recorded: Recorded,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      invoke(recorded, "webhook", {
        method: req.method ?? "POST",
        path: req.url ?? "/",
        headers,
        body: new Uint8Array(Buffer.concat(chunks)),
      }).then(
        (answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(answer.text);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
