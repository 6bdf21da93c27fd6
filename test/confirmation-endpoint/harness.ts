// One endpoint wired to fakes, on a SQLite file in a temporary folder, with helpers that walk the
// shopper's and the provider's side of a payment.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect } from "vitest";
import { createApp } from "../../confirmation-endpoint/app";
import type { AppDeps } from "../../confirmation-endpoint/app";
import type { DeadlinePolicy } from "../../confirmation-endpoint/config";
import { createMemoryLogger } from "../../confirmation-endpoint/logger";
import { createMetrics } from "../../confirmation-endpoint/metrics";
import {
  instrumentDataverse,
  instrumentProviders,
} from "../../confirmation-endpoint/observability/instrument-calls";
import { NO_TRACING } from "../../confirmation-endpoint/observability/tracing";
import type { Tracing } from "../../confirmation-endpoint/observability/tracing";
import type { RtmRouteOptions } from "../../confirmation-endpoint/rtm/handle-rtm-pay";
import type { PaymentStore } from "../../confirmation-endpoint/store/types";
import { openSqliteStore } from "../../confirmation-endpoint/store/sqlite-store";
import { createWorker } from "../../confirmation-endpoint/worker/worker";
import { createProviderSet } from "../../confirmation-endpoint/providers/registry";
import type { Worker, WorkerOptions } from "../../confirmation-endpoint/worker/worker";
import { createPurchaseSignal, signalPurchaseChanges } from "../../confirmation-endpoint/routes/status-wait";
import type { FakeEventBody } from "./fakes";
import {
  FAKE_DEPLOYMENT,
  FakeClock,
  FakeDataverse,
  FakeProvider,
  MINUTE,
  sign,
  switchableStore,
} from "./fakes";

export const PORTAL = "https://contoso.powerappsportals.com";
export const T0 = Date.parse("2026-11-26T10:00:00.000Z");
export const PURCHASE = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
export const OTHER_PURCHASE = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
export const CONTACT = "11111111-2222-3333-4444-555555555555";

/** The environment of an endpoint that talks to fakes: a valid configuration with no real secret. */
export const ENDPOINT_ENV: Record<string, string> = {
  DATAVERSE_URL: "https://contoso.crm.dynamics.com",
  DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
  DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
  DATAVERSE_CLIENT_SECRET: "test-only",
  PORTAL_ORIGINS: PORTAL,
  STRIPE_SECRET_KEY: "sk_test_x",
  STRIPE_WEBHOOK_SECRETS: "whsec_test_fake",
};

export const POLICY: DeadlinePolicy = {
  outboundWindowMinutes: 50,
  rtmTimeoutMinutes: null,
  marginMinutes: 3,
  finalizeBudgetMinutes: 5,
  minPayWindowMinutes: 5,
  t0FallbackBackdateMinutes: 2,
};

export type Harness = ReturnType<typeof createHarness>;

export interface HarnessOptions<D extends FakeDataverse> {
  dir?: string;
  startAt?: number;
  /** A FakeDataverse subclass that plays more of Dataverse (default: a plain FakeDataverse). */
  dataverse?: D;
  portalOrigins?: string[];
  /** Real-time journeys route settings, built on the harness's clock; omitted → no RTM route. */
  rtm?: (clock: FakeClock) => RtmRouteOptions;
  newPurchaseCheckoutsPerMinute?: number;
  /** Tracing for the app and the worker (default off); observability tests pass an in-memory exporter's. */
  tracing?: Tracing;
  /** prom-client's default process metrics (default off: each endpoint would watch the event loop). */
  processMetrics?: boolean;
  /** Other settings of the app (per-client limits, the read budget, the client-address header). */
  app?: Partial<
    Pick<
      AppDeps,
      "newPurchasesPerClientPerMinute" | "newPurchaseReadsPer5Minutes" | "clientIpHeader" | "statusWait"
    >
  >;
}

export function createHarness<D extends FakeDataverse = FakeDataverse>(options: HarnessOptions<D> = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "endpoint-test-"));
  const dbPath = join(dir, "gateway.sqlite");
  const clock = new FakeClock(options.startAt ?? T0 + 2 * MINUTE);
  const dataverse = options.dataverse ?? (new FakeDataverse() as D);
  const provider = new FakeProvider(clock);
  const logger = createMemoryLogger();
  const metrics = createMetrics({ processMetrics: options.processMetrics ?? false });
  const tracing = options.tracing ?? NO_TRACING;
  // The app and the worker call Dataverse through the same instrumentation as createEndpoint's.
  const instrumented = instrumentDataverse(dataverse, { metrics, tracing });
  const opened: PaymentStore[] = [];
  const open = () => {
    const s = openSqliteStore(dbPath);
    opened.push(s);
    return s;
  };
  const storeSwitch = switchableStore(open());
  // As createEndpoint does: the store's writes wake held status requests (long poll).
  const purchaseSignal = createPurchaseSignal();
  const store = signalPurchaseChanges(storeSwitch.store, purchaseSignal);
  metrics.watchBacklog(
    (now) => store.backlog(now),
    () => clock.now(),
  );
  let seq = 0;
  const random = () => 0.5;

  const app = createApp({
    store,
    providers: instrumentProviders(createProviderSet(provider), tracing),
    dataverse: instrumented,
    clock,
    logger,
    metrics,
    tracing,
    portalOrigins: options.portalOrigins ?? [PORTAL],
    eventMode: "outbound",
    deadlinePolicy: POLICY,
    ...(options.rtm ? { rtm: options.rtm(clock) } : {}),
    ...(options.newPurchaseCheckoutsPerMinute !== undefined
      ? { newPurchaseCheckoutsPerMinute: options.newPurchaseCheckoutsPerMinute }
      : {}),
    purchaseSignal,
    ...options.app,
  });
  const newWorker = (
    s: PaymentStore = store,
    id = `w${++seq}`,
    renewal: Pick<WorkerOptions, "renewEveryMs" | "renewTickMs"> = {},
  ): Worker =>
    createWorker(
      {
        store: s,
        providers: instrumentProviders(createProviderSet(provider), tracing),
        dataverse: instrumented,
        clock,
        logger,
        metrics,
        tracing,
        random,
        adoption: { deploymentId: FAKE_DEPLOYMENT, deadlinePolicy: POLICY, returnOrigin: PORTAL },
      },
      { workerId: id, concurrency: 4, leaseMs: 2 * MINUTE, ...renewal },
    );
  const worker = newWorker();

  /** Run due jobs, moving the clock to the next due job, until nothing is left before `until`. */
  async function settle(
    w: Worker = worker,
    until = clock.now() + 60 * MINUTE,
    s: PaymentStore = store,
  ): Promise<void> {
    for (let i = 0; i < 500; i++) {
      await w.drain();
      const next = await s.nextDueAt();
      if (next === null || next > until) return;
      if (next > clock.now()) clock.set(next);
    }
    throw new Error("settle: the worker did not come to rest");
  }

  function checkoutRequest(body: unknown, headers: Record<string, string> = {}): Request {
    return new Request("http://endpoint.test/v1/checkout", {
      method: "POST",
      headers: { "content-type": "application/json", origin: PORTAL, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  async function checkout(purchaseId = PURCHASE, extra: Record<string, unknown> = {}) {
    const res = await app(
      checkoutRequest({
        purchaseId,
        readableEventId: "Paid_Event1479011247",
        userId: CONTACT,
        returnUrl: `${PORTAL}/pay/?id=Paid_Event1479011247&purchaseId=${purchaseId}`,
        ...extra,
      }),
    );
    // The body's shape is what the tests assert; reading it loosely keeps them short.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { res, body: (await res.json()) as Record<string, any> };
  }

  function webhookRequest(
    event: FakeEventBody,
    opts: { t?: number; signature?: string; body?: string } = {},
  ): Request {
    const body = opts.body ?? JSON.stringify(event);
    const t = opts.t ?? Math.floor(clock.now() / 1000);
    return new Request("http://endpoint.test/v1/webhooks/stripe", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "stripe-signature": opts.signature ?? `t=${t},v1=${sign(t, body)}`,
      },
      body,
    });
  }

  let eventSeq = 0;
  /** The provider's "checkout.session.completed" for a session the fake says is paid. */
  function completedEvent(sessionId: string, extra: Partial<FakeEventBody> = {}): FakeEventBody {
    const s = provider.sessions.get(sessionId)!;
    return {
      id: `evt_${++eventSeq}`,
      type: "checkout.session.completed",
      signal: s.status === "paid" ? "paid" : "pending",
      purchaseId: s.purchaseId || null,
      sessionId,
      paymentId: s.paymentId,
      amount: s.paidAmount,
      ...extra,
    };
  }

  /** Checkout for a purchase that must open a hosted page; returns the page's session id. */
  async function openSession(purchaseId = PURCHASE): Promise<string> {
    const { res, body } = await checkout(purchaseId);
    if (res.status !== 200) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(body)}`);
    return String(body.payment.redirectUrl).split("/").pop()!;
  }

  /** The status route's answer for a purchase, as the gateway page would read it. */
  async function statusOf(purchaseId = PURCHASE): Promise<Record<string, unknown>> {
    const res = await app(new Request(`http://endpoint.test/v1/purchases/${purchaseId}/status`));
    return (await res.json()) as Record<string, unknown>;
  }

  async function counts(s: PaymentStore = store) {
    return {
      jobs: (await s.listJobs()).length,
      refunds: (await s.listRefunds()).length,
      deadLetters: (await s.listDeadLetters()).length,
      purchase: await s.getPurchase(PURCHASE),
    };
  }

  return {
    dir,
    dbPath,
    clock,
    dataverse,
    provider,
    logger,
    metrics,
    store,
    storeSwitch,
    app,
    worker,
    newWorker,
    openStore: open,
    settle,
    checkout,
    checkoutRequest,
    openSession,
    statusOf,
    webhookRequest,
    completedEvent,
    counts,
    async close() {
      await worker.stop();
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh harness for each test of the calling file, with PURCHASE known to Dataverse; after each
 * test, both fakes must have seen only calls they expected. `assign` hands the harness to the file.
 */
export function useHarness(assign: (h: Harness) => void): void {
  let current: Harness | undefined;
  beforeEach(() => {
    current = createHarness();
    current.dataverse.addPurchase({
      purchaseId: PURCHASE,
      createdOn: new Date(T0).toISOString(),
      contactId: CONTACT,
    });
    assign(current);
  });
  afterEach(async () => {
    const h = current;
    current = undefined;
    if (!h) return;
    try {
      expect(h.dataverse.unexpected).toEqual([]);
      expect(h.provider.unexpected).toEqual([]);
    } finally {
      await h.close();
    }
  });
}

/** Checkout, pay and deliver the completed webhook; returns the session and payment ids. */
export async function payAndNotify(
  h: Harness,
  purchaseId = PURCHASE,
  options: { payAt?: number } = {},
): Promise<{ sessionId: string; paymentId: string }> {
  const sessionId = await h.openSession(purchaseId);
  if (options.payAt !== undefined) h.clock.set(options.payAt);
  const paymentId = h.provider.pay(sessionId);
  const hook = await h.app(h.webhookRequest(h.completedEvent(sessionId)));
  if (hook.status !== 200) throw new Error(`webhook failed: ${hook.status}`);
  return { sessionId, paymentId };
}
