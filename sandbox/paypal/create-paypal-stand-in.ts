// The PayPal stand-in as a fetch-style handler: the REST API (api-routes.ts), the approval page
// (approval-page.ts) and the signing certificate at CERT_PATH, plus the webhook sender. It opens no
// port; start-paypal-stand-in.ts serves it on 127.0.0.1.

import type { StandInContext, StandInFaults } from "./context";
import { handleApi } from "./api-routes";
import { handleApproval } from "./approval-page";
import type { StandInOrder } from "./orders";
import { createThrowawayCertificate } from "./throwaway-certificate";
import type { ThrowawayCertificate } from "./throwaway-certificate";
import { createWebhookSender, signDelivery } from "./webhook-sender";
import type { Delivery, FetchLike, SignedDelivery } from "./webhook-sender";

export const CERT_PATH = "/v1/notifications/certs/CERT-stand-in.pem";

export interface PayPalStandInOptions {
  clientId: string;
  clientSecret: string;
  webhookId: string;
  /** Where webhooks go (the endpoint's /v1/webhooks/paypal); null sends none. */
  webhookUrl?: string | null;
  now?: () => Date;
  fetch?: FetchLike;
  /** Webhook attempts per event and the wait between them (grows linearly). */
  maxAttempts?: number;
  retryDelayMs?: number;
  /** How long an approval waits for its capture before PayPal voids it (default 3 h; PayPal's own figure is not published). */
  voidApprovedAfterMs?: number;
}

export interface PayPalStandIn {
  handler: (request: Request) => Promise<Response>;
  readonly orders: ReadonlyMap<string, StandInOrder>;
  readonly requests: readonly { path: string; requestId: string | null }[];
  readonly deliveries: readonly Delivery[];
  readonly faults: StandInFaults;
  readonly identity: ThrowawayCertificate;
  /** Captures made (a replayed capture does not count). */
  captureCount(): number;
  /** Copies of every webhook from now on (2 = each event twice). */
  setCopies(copies: number): void;
  setOrigin(origin: string): void;
  setWebhookUrl(url: string | null): void;
  certUrl(): string;
  /** Signs any body as the stand-in's webhooks are signed (for tests of bad webhooks). */
  sign(body: string, o?: { webhookId?: string; time?: Date; certUrl?: string }): SignedDelivery;
  idle(): Promise<void>;
  close(): void;
}

export function createPayPalStandIn(options: PayPalStandInOptions): PayPalStandIn {
  const now = options.now ?? (() => new Date());
  let origin = "http://127.0.0.1";
  let webhookUrl = options.webhookUrl ?? null;
  const identity = createThrowawayCertificate("paypal-stand-in.invalid", now());
  const certUrl = () => `${origin}${CERT_PATH}`;
  const webhooks = createWebhookSender({
    identity,
    certUrl,
    webhookId: options.webhookId,
    url: () => webhookUrl,
    now,
    fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    maxAttempts: options.maxAttempts ?? 5,
    retryDelayMs: options.retryDelayMs ?? 1000,
  });
  const ctx: StandInContext = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    webhookId: options.webhookId,
    identity,
    orders: new Map(),
    tokens: new Set(),
    replays: new Map(),
    requests: [],
    captureCount: 0,
    faults: { declineCapture: false, refuseRefunds: false },
    copies: 1,
    webhooks,
    origin: () => origin,
    webhookUrl: () => webhookUrl,
    now,
    voidApprovedAfterMs: options.voidApprovedAfterMs ?? 3 * 3_600_000,
  };
  async function handler(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === CERT_PATH && request.method === "GET") {
      return new Response(identity.pem, { headers: { "content-type": "application/x-pem-file" } });
    }
    return (
      (await handleApproval(ctx, request, url)) ??
      (await handleApi(ctx, request, url.pathname)) ??
      new Response("Not found", { status: 404 })
    );
  }
  return {
    handler,
    orders: ctx.orders,
    requests: ctx.requests,
    deliveries: webhooks.deliveries,
    faults: ctx.faults,
    identity,
    captureCount: () => ctx.captureCount,
    setCopies: (copies) => void (ctx.copies = copies),
    setOrigin: (value) => void (origin = value),
    setWebhookUrl: (value) => void (webhookUrl = value),
    certUrl,
    sign: (body, o = {}) =>
      signDelivery(body, {
        identity,
        certUrl: o.certUrl ?? certUrl(),
        webhookId: o.webhookId ?? options.webhookId,
        time: o.time ?? now(),
      }),
    idle: () => webhooks.idle(),
    close: () => webhooks.close(),
  };
}
