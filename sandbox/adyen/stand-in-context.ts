// What every part of the Adyen stand-in shares: its state, its clock, the credentials it accepts,
// and how a part asks for a notification to be sent.

import type { AdyenState, Amount, NotificationItem } from "./adyen-state";

export interface StandInKnobs {
  /** The REFUND notification's success for the next refunds (the refund-failure fault). */
  refundSucceeds: boolean;
  /** Send every notification twice (Adyen may deliver an item more than once). */
  duplicateDeliveries: boolean;
}

export interface NewNotification {
  eventCode: string;
  success: boolean;
  pspReference: string;
  originalReference?: string;
  merchantReference: string;
  amount: Amount;
  reason?: string;
  additionalData?: Record<string, string>;
}

export interface StandInContext {
  state: AdyenState;
  now(): number;
  apiKey: string;
  merchantAccount: string;
  /** The stand-in's origin (http://127.0.0.1:port), known once it listens. */
  origin(): string;
  knobs: StandInKnobs;
  notify(notification: NewNotification): void;
}

/** Build the item Adyen would send, without its signature (the notifier signs at delivery). */
export function toNotificationItem(ctx: StandInContext, n: NewNotification): NotificationItem {
  return {
    pspReference: n.pspReference,
    ...(n.originalReference ? { originalReference: n.originalReference } : {}),
    merchantAccountCode: ctx.merchantAccount,
    merchantReference: n.merchantReference,
    amount: { ...n.amount },
    eventCode: n.eventCode,
    eventDate: new Date(ctx.now()).toISOString(),
    success: n.success ? "true" : "false",
    ...(n.reason ? { reason: n.reason } : {}),
    additionalData: { ...(n.additionalData ?? {}) },
  };
}
