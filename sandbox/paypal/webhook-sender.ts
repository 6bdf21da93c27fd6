// Sends events the way PayPal does: one JSON event per POST, signed with the five PAYPAL-* headers
// over <transmission id>|<time>|<webhook id>|<CRC-32 of the body>, with the stand-in's throwaway
// key; a non-2xx answer or a network error is retried (bounded), and an event can be sent twice.

import { randomUUID, sign } from "node:crypto";
import { crc32 } from "../../confirmation-endpoint/providers/paypal/crc32";
import type { ThrowawayCertificate } from "./throwaway-certificate";
import { newId } from "./orders";

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface SignedDelivery {
  headers: Record<string, string>;
  body: string;
}

export interface Delivery {
  eventId: string;
  eventType: string;
  attempts: number;
  status: number | null;
}

export interface SenderOptions {
  identity: ThrowawayCertificate;
  certUrl: () => string;
  webhookId: string;
  url: () => string | null;
  now: () => Date;
  fetch: FetchLike;
  /** Attempts per delivery, the first included (PayPal retries for days; the stand-in a few times). */
  maxAttempts: number;
  retryDelayMs: number;
}

/** Signs a body as PayPal does; tests use it to forge every kind of bad webhook. */
export function signDelivery(
  body: string,
  o: { identity: ThrowawayCertificate; certUrl: string; webhookId: string; time: Date },
): SignedDelivery {
  const transmissionId = randomUUID();
  const time = o.time.toISOString();
  const signed = `${transmissionId}|${time}|${o.webhookId}|${crc32(Buffer.from(body, "utf8"))}`;
  return {
    body,
    headers: {
      "content-type": "application/json",
      "paypal-transmission-id": transmissionId,
      "paypal-transmission-time": time,
      "paypal-transmission-sig": sign("sha256", Buffer.from(signed), o.identity.privateKey).toString(
        "base64",
      ),
      "paypal-cert-url": o.certUrl,
      "paypal-auth-algo": "SHA256withRSA",
    },
  };
}

export function createWebhookSender(options: SenderOptions) {
  const deliveries: Delivery[] = [];
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function deliver(record: Delivery, body: string): Promise<void> {
    for (; record.attempts < options.maxAttempts && !closed;) {
      const url = options.url();
      if (!url) return;
      record.attempts++;
      const signed = signDelivery(body, {
        identity: options.identity,
        certUrl: options.certUrl(),
        webhookId: options.webhookId,
        time: options.now(),
      });
      try {
        const response = await options.fetch(url, { method: "POST", headers: signed.headers, body });
        record.status = response.status;
        await response.arrayBuffer();
        if (response.ok) return;
      } catch {
        record.status = null;
      }
      await new Promise((r) => setTimeout(r, options.retryDelayMs * record.attempts));
    }
  }

  return {
    deliveries,
    /** Builds the event around `resource` and sends it `copies` times (each its own retry series). */
    send(eventType: string, resourceType: string, resource: object, copies = 1): string {
      const event = {
        id: `WH-${newId(20)}`,
        event_version: "1.0",
        create_time: options.now().toISOString(),
        resource_type: resourceType,
        resource_version: "2.0",
        event_type: eventType,
        summary: eventType,
        resource,
        links: [],
      };
      const body = JSON.stringify(event);
      for (let i = 0; i < copies; i++) {
        const record: Delivery = { eventId: event.id, eventType, attempts: 0, status: null };
        deliveries.push(record);
        const run = deliver(record, body).finally(() => inFlight.delete(run));
        inFlight.add(run);
      }
      return event.id;
    },
    /** Resolves once nothing is being sent or waiting for a retry. */
    async idle(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close(): void {
      closed = true;
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
