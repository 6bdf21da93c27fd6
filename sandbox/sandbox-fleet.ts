// `npm start -- --store postgres [--instances N]`: the endpoint on a throwaway PostgreSQL cluster
// (the same one the tests use), and several endpoint processes' worth of instances in this
// process behind one port that deals requests out in turn, so a person can watch any instance
// take any webhook, checkout or status call while every worker shares one outbox.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { EndpointConfig } from "../confirmation-endpoint/config";
import { createNodeListener } from "../confirmation-endpoint/http/node-adapter";
import { startEndpoint } from "../confirmation-endpoint/main";
import type { RunningEndpoint, StartOptions } from "../confirmation-endpoint/main";
import { findPostgresBin, startCluster } from "./postgres-cluster";
import type { PgCluster } from "./postgres-cluster";
import { SandboxError } from "./sandbox-error";

export type SandboxStore = "sqlite" | "postgres";

/** A fresh database on a throwaway cluster; its variables for the endpoint (never printed). */
export async function startSandboxPostgres(): Promise<{ env: Record<string, string>; cluster: PgCluster }> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new SandboxError(
      "NO_POSTGRES",
      "--store postgres needs Debian's postgresql package (apt-get install postgresql); or leave the option out for SQLite.",
    );
  }
  const cluster = await startCluster(bin);
  const url = await cluster.createDatabase("sandbox");
  return { env: { STORE_URL: url, PGSSLMODE: "disable" }, cluster };
}

/**
 * `count` endpoints on one store (each with its worker) behind one loopback port that hands each
 * request to the next instance in turn. One instance: the endpoint itself.
 */
export async function startEndpointFleet(
  config: EndpointConfig,
  options: StartOptions,
  count: number,
): Promise<RunningEndpoint> {
  if (count <= 1) return startEndpoint(config, options);
  const instances: RunningEndpoint[] = [];
  try {
    for (let i = 0; i < count; i++) instances.push(await startEndpoint({ ...config, port: 0 }, options));
  } catch (error) {
    for (const started of instances) await started.close();
    throw error;
  }
  let next = 0;
  const front = createServer(
    createNodeListener(
      async (request) => {
        const target = instances[next++ % instances.length]!;
        const url = new URL(request.url);
        const hasBody = request.method !== "GET" && request.method !== "HEAD";
        return fetch(`${target.url}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          redirect: "manual",
          ...(hasBody ? { body: await request.arrayBuffer() } : {}),
        });
      },
      () => undefined,
    ),
  );
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(config.port, "127.0.0.1", () => resolve());
  });
  const port = (front.address() as AddressInfo).port;
  const first = instances[0]!;
  return {
    ...first,
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      await new Promise((resolve) => front.close(resolve));
      for (const instance of instances) await instance.close();
    },
  };
}
