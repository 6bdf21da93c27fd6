// Sends the stand-in's notifications to the webhook URL the way Adyen does: a Standard webhook
// batch {live, notificationItems}, each item signed with the HMAC key (the kit's own signer, which
// the tests check against the official library's), Basic auth when configured. An answer other than
// "[accepted]" is retried: three times at once, then on the clock (2 min, doubling, at most 8 h).
// Duplicates (every item sent twice) are a knob.

import { signItem } from "../../confirmation-endpoint/providers/adyen/hmac";
import type { NotificationItem, OutgoingNotification } from "./adyen-state";
import type { StandInContext } from "./stand-in-context";

const IMMEDIATE_RETRIES = 3;
const FIRST_DELAY_MS = 2 * 60_000;
const MAX_DELAY_MS = 8 * 60 * 60_000;

export interface NotifierOptions {
  hmacKey: string;
  basicAuth?: { username: string; password: string } | null;
  fetch?: typeof fetch;
  /** How long one delivery may take before it counts as failed (default 10 s). */
  timeoutMs?: number;
}

export interface Notifier {
  setWebhookUrl(url: string | null): void;
  webhookUrl(): string | null;
  /** Queue one notification and try to deliver it now. */
  enqueue(item: NotificationItem): void;
  /** Deliver everything due by the clock (after the clock moved). */
  runDue(): void;
  /** Resolves when no delivery is in flight. */
  idle(): Promise<void>;
}

export function signedBatch(items: NotificationItem[], hmacKey: string): string {
  const signed = items.map((item) => ({
    NotificationRequestItem: {
      ...item,
      additionalData: { ...item.additionalData, hmacSignature: signItem(item, hmacKey) },
    },
  }));
  return JSON.stringify({ live: "false", notificationItems: signed });
}

function retryDelay(attempts: number): number {
  const late = attempts - IMMEDIATE_RETRIES - 1;
  return late < 0 ? 0 : Math.min(FIRST_DELAY_MS * 2 ** late, MAX_DELAY_MS);
}

export function createNotifier(ctx: StandInContext, options: NotifierOptions): Notifier {
  let url: string | null = null;
  let nextId = 1;
  const inFlight = new Set<Promise<void>>();
  const busy = new Set<number>();
  const send = options.fetch ?? fetch;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.basicAuth) {
    const pair = `${options.basicAuth.username}:${options.basicAuth.password}`;
    headers["authorization"] = `Basic ${Buffer.from(pair).toString("base64")}`;
  }

  async function post(body: string): Promise<{ status: number; body: string }> {
    if (!url) return { status: 0, body: "no webhook URL" };
    try {
      const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
      const response = await send(url, { method: "POST", headers, body, signal });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { status: 0, body: (error as Error).message };
    }
  }

  async function deliver(n: OutgoingNotification): Promise<void> {
    while (!n.delivered && n.dueAt <= ctx.now() && url) {
      n.attempts += 1;
      const answer = await post(signedBatch([n.item], options.hmacKey));
      n.lastAnswer = `${answer.status} ${answer.body.slice(0, 60)}`;
      n.delivered = answer.status === 200 && answer.body.trim() === "[accepted]";
      if (!n.delivered) n.dueAt = ctx.now() + retryDelay(n.attempts);
      if (n.delivered && ctx.knobs.duplicateDeliveries) await post(signedBatch([n.item], options.hmacKey));
    }
  }

  function start(n: OutgoingNotification): void {
    if (busy.has(n.id)) return;
    busy.add(n.id);
    const run = deliver(n).finally(() => {
      busy.delete(n.id);
      inFlight.delete(run);
    });
    inFlight.add(run);
  }

  return {
    setWebhookUrl(next) {
      url = next;
    },
    webhookUrl: () => url,
    enqueue(item) {
      const n: OutgoingNotification = {
        id: nextId++,
        item,
        attempts: 0,
        delivered: false,
        dueAt: ctx.now(),
        lastAnswer: null,
      };
      ctx.state.notifications.push(n);
      start(n);
    },
    runDue() {
      for (const n of ctx.state.notifications) if (!n.delivered && n.dueAt <= ctx.now()) start(n);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
