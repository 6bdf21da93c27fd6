// The calls a unit of work makes, measured where they cross the endpoint's edge: every Event
// Management operation (a latency histogram by action and outcome, and a child span when tracing
// is on) and every provider call (a child span). Wrapping the two seams keeps the checkout, the
// worker steps and the Dataverse client free of timing code.

import { DataverseError, DeadlineExceededError, isThrottled, PURCHASE_NOT_FOUND } from "../dataverse";
import type { EventManagementApi } from "../dataverse/types";
import type { Metrics } from "../metrics";
import { createProviderSet } from "../providers/registry";
import type { ProviderSet } from "../providers/registry";
import type { PaymentProviderAdapter } from "../providers/types";
import type { Tracing } from "./tracing";

/** A small vocabulary for the outcome label: never a message, never an id. */
export function dataverseOutcome(error: unknown): string {
  if (error instanceof DeadlineExceededError) return "deadline";
  if (!(error instanceof DataverseError)) return "error";
  if (error.code === PURCHASE_NOT_FOUND) return "not_found";
  if (isThrottled(error)) return "throttled";
  if (error.ambiguous) return "ambiguous";
  return error.status === 0 ? "network" : `http_${Math.floor(error.status / 100)}xx`;
}

const ACTIONS = {
  getPurchaseDetails: "get_purchase_details",
  finalizeRegistration: "finalize_registration",
  readPurchase: "read_purchase",
  finalizeRtmPayment: "finalize_rtm_payment",
  readContactEmail: "read_contact_email",
} as const satisfies Record<keyof EventManagementApi, string>;

/** `api` with each operation timed into gateway_dataverse_request_duration_seconds and traced. */
export function instrumentDataverse(
  api: EventManagementApi,
  deps: { metrics: Metrics; tracing: Tracing },
): EventManagementApi {
  const measure = async <T>(method: keyof EventManagementApi, call: () => Promise<T>): Promise<T> => {
    const action = ACTIONS[method];
    const started = performance.now();
    let outcome = "ok";
    try {
      return await deps.tracing.child(
        `dataverse ${action}`,
        { kind: "client", attributes: { "dataverse.action": action } },
        async (span) => {
          const result = await call();
          const settled = (result as { outcome?: unknown } | null)?.outcome;
          if (typeof settled === "string") outcome = settled;
          span.setAttributes({ outcome });
          return result;
        },
      );
    } catch (error) {
      outcome = dataverseOutcome(error);
      throw error;
    } finally {
      deps.metrics.observeDataverseSeconds((performance.now() - started) / 1000, { action, outcome });
    }
  };
  return {
    getPurchaseDetails: (id, options) =>
      measure("getPurchaseDetails", () => api.getPurchaseDetails(id, options)),
    finalizeRegistration: (input, options) =>
      measure("finalizeRegistration", () => api.finalizeRegistration(input, options)),
    readPurchase: (id, options) => measure("readPurchase", () => api.readPurchase(id, options)),
    finalizeRtmPayment: (id, status, options) =>
      measure("finalizeRtmPayment", () => api.finalizeRtmPayment(id, status, options)),
    ...(api.readContactEmail
      ? {
          readContactEmail: (
            contactId: string,
            options?: Parameters<NonNullable<EventManagementApi["readContactEmail"]>>[1],
          ) => measure("readContactEmail", () => api.readContactEmail!(contactId, options)),
        }
      : {}),
  };
}

/** The adapter calls that reach the provider (verification and acknowledgement stay local). */
const PROVIDER_CALLS = new Set(["createCheckout", "expireCheckout", "capture", "getPayment", "refund"]);

function traceAdapter(adapter: PaymentProviderAdapter, tracing: Tracing): PaymentProviderAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || typeof prop !== "string" || !PROVIDER_CALLS.has(prop)) return value;
      return (...args: unknown[]) =>
        tracing.child(
          `${target.name} ${prop}`,
          { kind: "client", attributes: { "provider.name": target.name, "provider.call": prop } },
          () => Reflect.apply(value, target, args) as Promise<unknown>,
        );
    },
  });
}

/** `providers` with a child span around each provider call; unchanged when tracing is off. */
export function instrumentProviders(providers: ProviderSet, tracing: Tracing): ProviderSet {
  if (!tracing.enabled) return providers;
  const traced = new Map(providers.all.map((a) => [a, traceAdapter(a, tracing)]));
  const active = traced.get(providers.active) ?? traceAdapter(providers.active, tracing);
  return createProviderSet(active, [...traced.values()]);
}
