// A fleet of endpoint processes (the burst benchmark's endpoint entry) on fixed loopback ports, one
// store: any of them can be SIGKILLed and restarted on its port, and a webhook can be delivered to
// whichever instance is up.

import { freePort } from "../../sandbox/postgres-cluster";
import { join } from "node:path";
import { signedHeaders } from "../../scripts/bench/burst/purchases";
import { spawnEndpoint } from "../../scripts/bench/burst/spawn-endpoint";
import type { EndpointProcess } from "../../scripts/bench/burst/spawn-endpoint";
import type { BurstWorld } from "../../scripts/bench/burst/stand-ins";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Fleet {
  urls: string[];
  /** SIGKILL instance `i`, wait `downMs`, start it again on its port. */
  restart(i: number, downMs: number): Promise<void>;
  /** POST one signed Stripe event, starting at instance `first`, until an instance answers 2xx. */
  deliver(first: number, body: string): Promise<void>;
  killAll(): Promise<void>;
}

export async function startFleet(
  world: BurstWorld,
  count: number,
  options: { dir: string; env: (port: number) => Record<string, string> },
): Promise<Fleet> {
  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const start = (i: number) => spawnEndpoint(options.env(ports[i]!), join(options.dir, `instance-${i}.log`));
  const running: Array<EndpointProcess | null> = await Promise.all(ports.map((_, i) => start(i)));
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  return {
    urls,
    async restart(i, downMs) {
      const victim = running[i];
      running[i] = null;
      await victim?.kill();
      await sleep(downMs);
      running[i] = await start(i);
    },
    async deliver(first, body) {
      for (let attempt = 0; ; attempt++) {
        const url = urls[(first + attempt) % urls.length]!;
        try {
          const res = await fetch(`${url}/v1/webhooks/stripe`, {
            method: "POST",
            headers: signedHeaders(world, body),
            body,
          });
          await res.arrayBuffer();
          if (res.status < 300) return;
        } catch {
          // Connection refused or reset: that instance is down; the next try goes to another.
        }
        await sleep(100 + Math.random() * 200);
      }
    },
    async killAll() {
      await Promise.all(running.map((p) => p?.kill()));
    },
  };
}
