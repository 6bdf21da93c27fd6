// The Adyen stand-in: a fetch-style handler speaking the part of Adyen's Checkout API the kit uses
// (so the official @adyen/api-library works against it through its transport seam), a hosted
// payment page, HMAC-signed notification batches with retries and duplicates, and a dashboard,
// served on 127.0.0.1 by createNodeListener. Nothing listens until startAdyenStandIn is called.

import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeListener } from "../../confirmation-endpoint/http/node-adapter";
import { createAdyenState, type AdyenState } from "./adyen-state";
import { handleApiRequest } from "./api-routes";
import { DASHBOARD_PATH, handleDashboard } from "./dashboard-page";
import { handleHostedPage, payLink } from "./hosted-page";
import { createNotifier, type Notifier } from "./notifier";
import { toNotificationItem, type StandInContext, type StandInKnobs } from "./stand-in-context";

export interface AdyenStandInOptions {
  /** Default 0: the system picks a free port. */
  port?: number;
  /** The API key the stand-in accepts (the endpoint is given the same one). */
  apiKey: string;
  merchantAccount: string;
  /** Hex HMAC key notification items are signed with. */
  hmacKey: string;
  webhookUrl?: string | null;
  /** Basic auth the stand-in sends with notifications, when the endpoint expects it. */
  basicAuth?: { username: string; password: string } | null;
  /** Epoch ms (default Date.now): the sandbox's shared clock. */
  now?: () => number;
  knobs?: Partial<StandInKnobs>;
  /** Also run due deliveries every this many real ms (a benchmark whose clock nobody advances); default never. */
  retryEveryMs?: number;
}

export interface AdyenStandIn {
  url: string;
  /** What the endpoint's ADYEN_API_BASE is set to. */
  apiBase: string;
  dashboardUrl: string;
  state: AdyenState;
  knobs: StandInKnobs;
  notifier: Notifier;
  handler(request: Request): Promise<Response>;
  setWebhookUrl(url: string | null): void;
  /** Pay (or decline) a link as the hosted page's button does; answers the pspReference. */
  pay(linkId: string, options?: { authorised?: boolean }): string;
  /** Deliver notifications that became due after the clock moved. */
  runDueWork(): void;
  /** Resolves when no notification delivery is in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** A random hex HMAC key of the size Adyen shows (64 hex digits), for runs that need one. */
export function newHmacKey(): string {
  return randomBytes(32).toString("hex").toUpperCase();
}

export async function startAdyenStandIn(options: AdyenStandInOptions): Promise<AdyenStandIn> {
  let origin = "http://127.0.0.1";
  const knobs: StandInKnobs = { refundSucceeds: true, duplicateDeliveries: false, ...options.knobs };
  const ctx: StandInContext = {
    state: createAdyenState(),
    now: options.now ?? Date.now,
    apiKey: options.apiKey,
    merchantAccount: options.merchantAccount,
    origin: () => origin,
    knobs,
    notify: (n) => notifier.enqueue(toNotificationItem(ctx, n)),
  };
  const notifier = createNotifier(ctx, { hmacKey: options.hmacKey, basicAuth: options.basicAuth ?? null });
  notifier.setWebhookUrl(options.webhookUrl ?? null);

  async function handler(request: Request): Promise<Response> {
    return (
      (await handleApiRequest(ctx, request)) ??
      handleHostedPage(ctx, request) ??
      (await handleDashboard(ctx, request, notifier.webhookUrl())) ??
      new Response("Not found on the Adyen stand-in", { status: 404 })
    );
  }

  const server = createServer(createNodeListener(handler, () => undefined));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const timer = options.retryEveryMs ? setInterval(() => notifier.runDue(), options.retryEveryMs) : null;
  timer?.unref();
  return {
    url: origin,
    apiBase: origin,
    dashboardUrl: `${origin}${DASHBOARD_PATH}`,
    state: ctx.state,
    knobs,
    notifier,
    handler,
    setWebhookUrl: (url) => notifier.setWebhookUrl(url),
    pay(linkId, payOptions = {}) {
      const link = ctx.state.links.get(linkId);
      if (!link) throw new Error(`The Adyen stand-in has no payment link ${linkId}`);
      return payLink(ctx, link, payOptions.authorised ?? true).pspReference;
    },
    runDueWork: () => notifier.runDue(),
    idle: () => notifier.idle(),
    async close() {
      if (timer) clearInterval(timer);
      await notifier.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
