// LISTEN on the work channel over one dedicated connection (a pooled one would be handed to other
// statements): a webhook stored by any instance wakes the workers of this one at once. Polling
// stays the safety net: when the connection drops, the watcher reconnects after a pause and wakes
// the workers once, in case a notification was missed meanwhile.

import type pg from "pg";
import { WORK_CHANNEL } from "./outbox";

const RECONNECT_MS = 2_000;

export interface WorkWatcher {
  watch(wake: () => void): () => void;
  close(): Promise<void>;
}

/** `newClient` makes the dedicated connection (not yet connected): PgConnection.newClient. */
export function createWorkWatcher(newClient: () => Promise<pg.Client>): WorkWatcher {
  const listeners = new Set<() => void>();
  let client: pg.Client | null = null;
  let connecting = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const wakeAll = () => listeners.forEach((wake) => wake());

  function drop(c: pg.Client): void {
    c.end().catch(() => undefined);
    if (client !== c) return;
    client = null;
    if (listeners.size > 0) reconnectLater();
  }

  function reconnectLater(): void {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, RECONNECT_MS);
    timer.unref();
  }

  async function connect(): Promise<void> {
    if (stopped || client || connecting) return;
    connecting = true;
    let c: pg.Client;
    try {
      c = await newClient();
    } catch {
      if (listeners.size > 0) reconnectLater();
      return;
    } finally {
      connecting = false;
    }
    if (stopped || listeners.size === 0) return;
    client = c;
    c.on("notification", wakeAll);
    c.on("error", () => drop(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${WORK_CHANNEL}`);
      wakeAll();
    } catch {
      drop(c);
    }
  }

  return {
    watch(wake) {
      listeners.add(wake);
      void connect();
      return () => {
        listeners.delete(wake);
        if (listeners.size === 0 && client) {
          const c = client;
          client = null;
          c.end().catch(() => undefined);
        }
      };
    },
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      listeners.clear();
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
