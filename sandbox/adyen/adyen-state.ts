// What the Adyen stand-in remembers: payment links, the payments taken on them, modifications
// (refunds, captures, cancellations) and the notifications owed to the webhook. In memory: the
// stand-in plays one run of the sandbox or one test. Pure bookkeeping; no HTTP here.

import { randomBytes } from "node:crypto";

export interface Amount {
  value: number;
  currency: string;
}

export type LinkStatus = "active" | "completed" | "expired";

export interface LinkRecord {
  id: string;
  amount: Amount;
  merchantAccount: string;
  reference: string;
  description: string;
  /** The link's `lineItems`, as sent (shown on the hosted page). */
  lineItems: Array<{ description: string; quantity: number; amountIncludingTax: number }>;
  returnUrl: string | null;
  expiresAt: Date;
  manualCapture: boolean;
  metadata: Record<string, string>;
  /** shopperEmail: where Adyen's shopper e-mails (the receipt) would go; null when none was given. */
  shopperEmail: string | null;
  status: LinkStatus;
  createdAt: Date;
}

export interface PaymentRecord {
  pspReference: string;
  linkId: string;
  amount: Amount;
  merchantReference: string;
  authorised: boolean;
  /** Left to refund (auto capture: the amount; manual: once captured). */
  refundable: number;
  captured: boolean;
  at: Date;
}

export interface ModificationRecord {
  pspReference: string;
  kind: "REFUND" | "CAPTURE" | "CANCELLATION";
  paymentPspReference: string;
  amount: Amount | null;
  reference: string | null;
  success: boolean;
  at: Date;
}

export interface NotificationItem {
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: Amount;
  eventCode: string;
  eventDate: string;
  success: "true" | "false";
  reason?: string;
  additionalData: Record<string, string>;
}

export interface OutgoingNotification {
  id: number;
  item: NotificationItem;
  attempts: number;
  delivered: boolean;
  dueAt: number;
  lastAnswer: string | null;
}

export interface AdyenState {
  links: Map<string, LinkRecord>;
  payments: Map<string, PaymentRecord>;
  modifications: ModificationRecord[];
  notifications: OutgoingNotification[];
  /** Idempotency-Key → the request body it came with and the answer given. */
  idempotency: Map<string, { body: string; status: number; answer: string }>;
}

export function createAdyenState(): AdyenState {
  return {
    links: new Map(),
    payments: new Map(),
    modifications: [],
    notifications: [],
    idempotency: new Map(),
  };
}

/** A 16-character reference like Adyen's pspReference. */
export function newPspReference(): string {
  return randomBytes(12).toString("base64url").replace(/[-_]/g, "X").slice(0, 16).toUpperCase();
}

export function newLinkId(): string {
  return `PL${randomBytes(8).toString("hex").toUpperCase()}`;
}

/** The link's status as of `now` (an active link past its expiry reads expired). */
export function linkStatus(link: LinkRecord, now: number): LinkStatus {
  if (link.status === "active" && link.expiresAt.getTime() <= now) link.status = "expired";
  return link.status;
}
