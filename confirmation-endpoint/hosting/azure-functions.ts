// The endpoint on Azure Functions (v4 Node programming model): every route is an HTTP function that
// hands the same Web Request to the same handler (app.ts) the Node host uses, and the outbox worker
// runs on a timer trigger (plus, while the instance is warm, the in-process loop that a stored
// webhook wakes, and PostgreSQL's LISTEN/NOTIFY). Registration takes the `app` object, so a test
// passes a recorder and invokes the handlers with the library's own HttpRequest/InvocationContext.
//
// The store must be PostgreSQL: a function app scales out to several instances, and the only disk
// they share (the app's content share, an SMB mount) does not give SQLite the locking it relies on.

import type {
  HttpFunctionOptions,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
  Timer,
  TimerFunctionOptions,
} from "@azure/functions";
import { loadConfig } from "../config";
import type { EndpointConfig } from "../config";
import { createEndpoint } from "../create-endpoint";
import type { Endpoint, EndpointOverrides } from "../create-endpoint";
import { ConfigError } from "../errors";
import { PEER_HEADER } from "../http/client-key";
import { errorResponse } from "../http/responses";
import { loadKeyVaultSecrets } from "./key-vault-secrets";
import type { KeyVaultLoadOptions } from "./key-vault-secrets";

/** The part of `app` from @azure/functions this adapter uses. */
export interface FunctionsRegistrar {
  http(name: string, options: HttpFunctionOptions): void;
  timer(name: string, options: TimerFunctionOptions): void;
}

type Method = NonNullable<HttpFunctionOptions["methods"]>[number];

/** The endpoint's routes as functions; host.json sets routePrefix "" so the paths are the Node host's. */
export const FUNCTION_ROUTES: ReadonlyArray<{ name: string; route: string; methods: Method[] }> = [
  { name: "checkout", route: "v1/checkout", methods: ["POST", "OPTIONS"] },
  { name: "purchase-status", route: "v1/purchases/{purchaseId}/status", methods: ["GET", "HEAD", "OPTIONS"] },
  { name: "webhook", route: "v1/webhooks/{provider}", methods: ["POST"] },
  { name: "rtm", route: "v1/rtm/{action}", methods: ["GET"] },
  { name: "healthz", route: "healthz", methods: ["GET", "HEAD"] },
  { name: "readyz", route: "readyz", methods: ["GET", "HEAD"] },
  { name: "metrics", route: "metrics", methods: ["GET", "HEAD"] },
];

/** Every 30 seconds: the guarantee that jobs run even when no warm instance is looping. */
export const WORKER_SCHEDULE = "*/30 * * * * *";

/** The Functions front end appends the caller's address (ip:port) to X-Forwarded-For. */
function peerAddress(request: HttpRequest): string {
  const last = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  if (!last) return "unknown";
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(last);
  if (v6) return v6[1]!;
  return /^[\d.]+:\d+$/.test(last) ? last.replace(/:\d+$/, "") : last;
}

/** The Functions request as the Web Request the handler takes: raw body bytes, the peer set by us. */
export async function toWebRequest(request: HttpRequest): Promise<Request> {
  const headers = new Headers(request.headers);
  headers.set(PEER_HEADER, peerAddress(request));
  const method = request.method.toUpperCase();
  const hasBody = method !== "GET" && method !== "HEAD";
  const body = hasBody ? new Uint8Array(await request.arrayBuffer()) : undefined;
  return new Request(request.url, { method, headers, ...(body ? { body } : {}) });
}

export async function toResponseInit(response: Response, method: string): Promise<HttpResponseInit> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  const body = method.toUpperCase() === "HEAD" ? undefined : new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers, ...(body && body.length > 0 ? { body } : {}) };
}

/** Runs due jobs until none is left or the budget is spent (a timer invocation must end). */
export async function runWorkerFor(endpoint: Endpoint, budgetMs: number): Promise<number> {
  const until = Date.now() + budgetMs;
  let ran = 0;
  while (Date.now() < until) {
    const batch = await endpoint.worker.runOnce();
    if (batch === 0) break;
    ran += batch;
  }
  return ran;
}

export interface FunctionsHostOptions {
  /** Longest a timer invocation keeps running jobs (default 4 minutes; the Consumption plan stops a function at 5). */
  workerBudgetMs?: number;
  /** Timer schedule (NCRONTAB with seconds); default WORKER_SCHEDULE. */
  schedule?: string;
}

/** Registers the HTTP functions and the worker timer; `ready` is the endpoint (built once per instance). */
export function registerEndpointFunctions(
  app: FunctionsRegistrar,
  ready: Promise<Endpoint>,
  options: FunctionsHostOptions = {},
): void {
  // A failed start is answered (503) and logged per invocation, not an unhandled rejection.
  ready.catch(() => undefined);
  const handler = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let endpoint: Endpoint;
    try {
      endpoint = await ready;
    } catch (error) {
      context.error(`the endpoint could not start: ${(error as Error).message}`);
      const unavailable = errorResponse(
        503,
        "NOT_CONFIGURED",
        "The endpoint is not configured; see the function app's log.",
      );
      return toResponseInit(unavailable, request.method);
    }
    const response = await endpoint.handler(await toWebRequest(request));
    return toResponseInit(response, request.method);
  };
  for (const { name, route, methods } of FUNCTION_ROUTES) {
    app.http(name, { route, methods, authLevel: "anonymous", handler });
  }
  const budgetMs = options.workerBudgetMs ?? 4 * 60_000;
  app.timer("worker", {
    schedule: options.schedule ?? WORKER_SCHEDULE,
    handler: async (_timer: Timer, context: InvocationContext) => {
      const endpoint = await ready;
      const ran = await runWorkerFor(endpoint, budgetMs);
      if (ran > 0) context.log(`worker tick ran ${ran} job(s)`);
    },
  });
}

/** Refuses what cannot work on Functions; returns the config unchanged otherwise. */
export function checkFunctionsConfig(config: EndpointConfig): EndpointConfig {
  if (config.store.kind !== "postgres") {
    throw new ConfigError([
      "STORE_URL: Azure Functions needs the PostgreSQL store (postgres://…, e.g. Azure Database for PostgreSQL): " +
        "a function app runs several instances and its shared file storage cannot hold a SQLite database safely",
    ]);
  }
  return config;
}

export interface StartFunctionsOptions {
  overrides?: EndpointOverrides;
  keyVault?: KeyVaultLoadOptions;
  /** Start the in-process worker loop, LISTEN/NOTIFY and the timers (default true). */
  background?: boolean;
}

/** Builds the endpoint from the environment (Key Vault first, when KEY_VAULT_URL is set). */
export async function startFunctionsEndpoint(
  env: Record<string, string | undefined>,
  options: StartFunctionsOptions = {},
): Promise<Endpoint> {
  const vault = await loadKeyVaultSecrets(env, options.keyVault);
  const config = checkFunctionsConfig(loadConfig(vault.env));
  const endpoint = createEndpoint(config, options.overrides);
  if (vault.loaded.length > 0)
    endpoint.logger.log("info", "secrets read from Key Vault", { variables: vault.loaded });
  if (options.background !== false) endpoint.startBackground();
  return endpoint;
}
