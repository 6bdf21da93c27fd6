// POST /v1/webhooks/{provider}: verify over the raw body before anything else, store every event
// with its state change and outbox job in one transaction, and only then answer 2xx. A store
// failure answers 5xx so the provider delivers again; an untrusted request answers 400 with
// nothing stored (counted, its log line sampled). No Dataverse or provider call happens here.

import { HttpError, StoreError } from "../errors";
import type { Clock } from "../clock";
import { readBodyCapped, tooLarge } from "../http/read-body";
import { errorAnswer, jsonAnswer, toResponse } from "../http/responses";
import type { PlainAnswer } from "../http/responses";
import { samplerFor } from "../log-sampler";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { NO_TRACING } from "../observability/tracing";
import type { Tracing } from "../observability/tracing";
import { planEvents } from "../lifecycle/plan-event";
import type { ProviderSet } from "../providers/registry";
import type { HeaderReader, PaymentEvent, PaymentProviderAdapter } from "../providers/types";
import type { PaymentStore } from "../store/types";

export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export interface WebhookRouteDeps {
  store: PaymentStore;
  providers: ProviderSet;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  tracing?: Tracing;
  onWorkStored?: () => void;
}

/** Seconds since `startedAt` (performance.now()), for the ack latency histogram. */
const since = (startedAt: number) => (performance.now() - startedAt) / 1000;

/** The one purchase a delivery is about, or null (none, or several: an Adyen batch). */
function onlyPurchase(events: PaymentEvent[]): string | null {
  const ids = new Set(events.map((e) => e.purchaseId));
  const [only] = ids;
  return ids.size === 1 && only ? only : null;
}

/** A delivery as the provider sent it: its headers and the raw body its signature covers. */
export interface WebhookDelivery {
  headers: HeaderReader;
  body: Uint8Array;
}

/** The route for a Web Request: reads the body, then answers as receiveWebhook does. */
export async function handleWebhook(
  request: Request,
  providerName: string,
  deps: WebhookRouteDeps,
): Promise<Response> {
  const startedAt = performance.now();
  const provider = knownProvider(providerName, deps);
  let body: Uint8Array;
  try {
    body = await readBodyCapped(request, MAX_WEBHOOK_BODY_BYTES);
  } catch (error) {
    countUnread(error, provider.name, startedAt, deps);
    throw error;
  }
  return toResponse(await receiveWebhook({ headers: request.headers, body }, providerName, deps, startedAt));
}

/**
 * POST /v1/webhooks/{provider} for a host that already holds the body (the Node listener's direct
 * route, and handleWebhook): verify, store, acknowledge. Throws HttpError for an unknown provider
 * or a body over the cap.
 */
export async function receiveWebhook(
  delivery: WebhookDelivery,
  providerName: string,
  deps: WebhookRouteDeps,
  startedAt = performance.now(),
): Promise<PlainAnswer> {
  const started = deps.clock.now();
  const provider = knownProvider(providerName, deps);
  const { headers, body } = delivery;
  if (body.byteLength > MAX_WEBHOOK_BODY_BYTES) {
    const error = tooLarge(MAX_WEBHOOK_BODY_BYTES);
    countUnread(error, provider.name, startedAt, deps);
    throw error;
  }
  let events: PaymentEvent[];
  try {
    events = await provider.verifyAndParse({ headers, body, receivedAt: new Date(deps.clock.now()) });
  } catch (error) {
    deps.metrics.observeWebhookAckSeconds(since(startedAt), { provider: provider.name, outcome: "rejected" });
    return rejectUnverified(error, provider.name, deps, started);
  }
  // The span starts when the request arrived; the purchase (hence the trace) is known only now.
  const span = {
    purchaseId: onlyPurchase(events),
    kind: "server" as const,
    startTime: performance.timeOrigin + startedAt,
    attributes: {
      "http.route": "/v1/webhooks/{provider}",
      "provider.name": provider.name,
      "event.count": events.length,
    },
  };
  return (deps.tracing ?? NO_TRACING).root("webhook", span, async (handle) => {
    let outcome = "store_failed";
    try {
      const stored = await storeEvents(events, provider, deps, started);
      outcome = stored.outcome;
      handle.setAttributes({ outcome });
      return stored.answer;
    } finally {
      deps.metrics.observeWebhookAckSeconds(since(startedAt), { provider: provider.name, outcome });
    }
  });
}

function knownProvider(providerName: string, deps: WebhookRouteDeps): PaymentProviderAdapter {
  const provider = deps.providers.get(providerName);
  if (provider) return provider;
  const names = deps.providers.all.map((p) => `/v1/webhooks/${p.name}`).join(", ");
  throw new HttpError(
    404,
    "UNKNOWN_PROVIDER",
    `No webhook receiver for provider "${providerName.slice(0, 40)}"; this endpoint takes ${names}.`,
  );
}

/** Counts a body that could not be read or was too large (the caller answers with the error). */
function countUnread(error: unknown, providerName: string, startedAt: number, deps: WebhookRouteDeps): void {
  const outcome = error instanceof HttpError && error.status === 413 ? "too_large" : "rejected";
  deps.metrics.increment("gateway_webhooks_total", { outcome });
  deps.metrics.observeWebhookAckSeconds(since(startedAt), { provider: providerName, outcome });
}

/** Store the verified events and build the answer: the provider's acknowledgement, or a 503. */
async function storeEvents(
  events: PaymentEvent[],
  provider: PaymentProviderAdapter,
  deps: WebhookRouteDeps,
  started: number,
): Promise<{ answer: PlainAnswer; outcome: string }> {
  const providerName = provider.name;
  let outcome;
  try {
    const now = deps.clock.now();
    outcome = await (deps.tracing ?? NO_TRACING).child(
      "store record_webhook",
      { kind: "internal", attributes: { "event.count": events.length } },
      () => deps.store.recordWebhook(planEvents(events, now), now),
    );
  } catch (error) {
    deps.metrics.increment("gateway_webhooks_total", { outcome: "store_failed" });
    deps.logger.log("error", "webhook", {
      provider: providerName,
      outcome: "store_failed",
      error,
      durationMs: deps.clock.now() - started,
    });
    if (error instanceof StoreError) {
      const answer = errorAnswer(
        503,
        "TEMPORARILY_UNAVAILABLE",
        "The event could not be saved; deliver it again later.",
      );
      return { answer, outcome: "store_failed" };
    }
    throw error;
  }
  if (outcome.stored > 0) deps.onWorkStored?.();
  const label = outcome.stored > 0 ? "stored" : events.length === 0 ? "empty" : "duplicate";
  deps.metrics.increment("gateway_webhooks_total", { outcome: label });
  for (const e of events) {
    deps.logger.log("info", "webhook", {
      provider: providerName,
      type: e.type,
      signal: e.signal,
      purchaseId: e.purchaseId,
      providerPaymentId: e.providerPaymentId,
      providerSessionId: e.providerSessionId,
      outcome: label,
      durationMs: deps.clock.now() - started,
    });
  }
  return { answer: acknowledge(provider, outcome), outcome: label };
}

/**
 * A request that failed verification: nothing stored, a 400. Anyone can send these, so they are
 * counted and logged a line a minute per reason rather than one each.
 */
function rejectUnverified(
  error: unknown,
  providerName: string,
  deps: WebhookRouteDeps,
  started: number,
): PlainAnswer {
  const code = (error as { code?: unknown }).code;
  const stable = typeof code === "string" && /^[A-Z_]+$/.test(code) ? code : "BAD_SIGNATURE";
  deps.metrics.increment("gateway_webhooks_total", { outcome: "rejected" });
  deps.metrics.increment("gateway_rejected_requests_total", {
    route: "webhook",
    reason: stable.toLowerCase(),
  });
  samplerFor(deps.logger, () => deps.clock.now()).log(
    "warn",
    `webhook:${providerName}:${stable}`,
    "webhook",
    {
      provider: providerName,
      outcome: "rejected",
      code: stable,
      durationMs: deps.clock.now() - started,
    },
  );
  return errorAnswer(
    400,
    stable,
    "The webhook could not be verified; nothing was stored. Check the signing secret and the raw body.",
  );
}

/** The answer the provider expects once its events are stored (the adapter's own shape, else JSON). */
function acknowledge(
  provider: PaymentProviderAdapter,
  outcome: { stored: number; duplicates: number },
): PlainAnswer {
  const ack = provider.acknowledgeWebhook?.(outcome);
  if (!ack)
    return jsonAnswer(200, { received: true, stored: outcome.stored, duplicates: outcome.duplicates });
  return { status: ack.status, headers: { "content-type": ack.contentType }, body: ack.body };
}
