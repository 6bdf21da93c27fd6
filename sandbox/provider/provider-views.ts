// What the provider stand-in shows and lets a person do on top of its runtime: the state view the
// tests read, the dashboard's data and buttons, resending an event and moving the clock.
import { ApiError } from "./api-error";
import { expireSession } from "./checkout-sessions";
import { createRefund } from "./refunds";
import type { DashboardActions, DashboardSource } from "./dashboard-page";
import type { ChargeObject, PaymentIntentObject, RefundObject, SessionObject } from "./objects";
import { ProviderStandInError, type ProviderStandInOptions } from "./provider-options";
import type { ProviderRuntime } from "./provider-runtime";
import type { DeliveryRow, StoredEvent } from "./provider-store";

export interface ProviderStateView {
  sessions(limit?: number): SessionObject[];
  paymentIntents(limit?: number): PaymentIntentObject[];
  charges(limit?: number): ChargeObject[];
  refunds(limit?: number): RefundObject[];
  /** Newest first, with their delivery state (none, pending, succeeded, failed). */
  events(limit?: number): StoredEvent[];
  /** Every delivery attempt, newest first. */
  deliveries(limit?: number): DeliveryRow[];
}

function createStateView({ store }: ProviderRuntime): ProviderStateView {
  return {
    sessions: (limit = 1000) => store.allObjects<SessionObject>("checkout.session", limit),
    paymentIntents: (limit = 1000) => store.allObjects<PaymentIntentObject>("payment_intent", limit),
    charges: (limit = 1000) => store.allObjects<ChargeObject>("charge", limit),
    refunds: (limit = 1000) => store.allObjects<RefundObject>("refund", limit),
    events: (limit = 1000) => {
      const result = store.listEvents({}, { limit });
      return result === "unknown_cursor" ? [] : result.data;
    },
    deliveries: (limit = 1000) => store.listDeliveries(limit),
  };
}

export function createProviderViews(runtime: ProviderRuntime, options: ProviderStandInOptions) {
  const { store, dispatcher, knobs, context } = runtime;
  const state = createStateView(runtime);
  const resendEvent = (eventId: string, copies = 1): boolean => {
    const stored = store.getEvent(eventId);
    if (stored === undefined) return false;
    if (stored.delivery !== "succeeded") store.setEventDelivery(eventId, "pending");
    dispatcher.dispatch(stored.event, copies);
    return true;
  };
  const advance = (ms: number): void => {
    if (!Number.isFinite(ms) || ms < 0)
      throw new ProviderStandInError("INVALID_ADVANCE", `advance takes a positive number of ms, got ${ms}.`);
    if (options.advanceClock === undefined) knobs.offsetMs += ms;
    else options.advanceClock(ms);
    runtime.runDueWork();
  };
  // A refund a person makes in the dashboard: no kit metadata, no idempotency key, as Stripe's own.
  const refundInDashboard = (paymentIntentId: string, amountMinor?: number): RefundObject => {
    const params = {
      payment_intent: paymentIntentId,
      reason: "requested_by_customer",
      ...(amountMinor === undefined ? {} : { amount: String(amountMinor) }),
    };
    const request = { requestId: null, idempotencyKey: null, apiVersion: null };
    return createRefund(context, runtime.refundPolicy, params, request);
  };
  const dashboardSource: DashboardSource = {
    nowMs: runtime.nowMs,
    webhookUrl: () => knobs.webhookUrl,
    duplicatesPending: () => knobs.duplicates,
    sessions: state.sessions,
    paymentIntents: state.paymentIntents,
    refunds: state.refunds,
    events: state.events,
    deliveries: state.deliveries,
  };
  const dashboardActions: DashboardActions = {
    resendEvent,
    advance,
    duplicateNextWebhooks: (count) => {
      knobs.duplicates += count;
    },
    refund: (id, amountMinor) => {
      try {
        refundInDashboard(id, amountMinor);
        return null;
      } catch (error) {
        if (error instanceof ApiError) return error.message;
        throw error;
      }
    },
    expireSession: (id) => {
      try {
        expireSession(context, id, null);
        return null;
      } catch (error) {
        if (error instanceof ApiError) return error.message;
        throw error;
      }
    },
  };
  return { state, resendEvent, advance, refundInDashboard, dashboardSource, dashboardActions };
}

export type ProviderViews = ReturnType<typeof createProviderViews>;
