// What every part of the PayPal stand-in shares: credentials, books, faults and the webhook sender.

import type { StandInOrder } from "./orders";
import type { ThrowawayCertificate } from "./throwaway-certificate";
import type { WebhookSender } from "./webhook-sender";

export interface StandInFaults {
  /** Capture answers 422 INSTRUMENT_DECLINED (the buyer's funding source was refused). */
  declineCapture: boolean;
  /** Refunds answer 422 (e.g. the merchant balance cannot cover it). */
  refuseRefunds: boolean;
}

export interface StandInContext {
  clientId: string;
  clientSecret: string;
  webhookId: string;
  identity: ThrowawayCertificate;
  orders: Map<string, StandInOrder>;
  tokens: Set<string>;
  replays: Map<string, { status: number; body: string }>;
  /** Every POST the API took, with its PayPal-Request-Id (null when absent). */
  requests: { path: string; requestId: string | null }[];
  captureCount: number;
  faults: StandInFaults;
  /** Copies of each webhook (2 sends every event twice). */
  copies: number;
  webhooks: WebhookSender;
  origin: () => string;
  webhookUrl: () => string | null;
  now: () => Date;
  /** An approved order not captured within this long is VOIDED, as PayPal voids it. */
  voidApprovedAfterMs: number;
}
