// In-memory stand-ins for the endpoint's two remote dependencies, a hand-moved clock and a store
// switch that simulates a crash or an outage. The fakes record every call and note any call they
// were not set up for in `unexpected`, which each test asserts is empty.

import { createHmac } from "node:crypto";
import { DataverseError, DeadlineExceededError } from "../../confirmation-endpoint/dataverse/errors";
import type {
  CallOptions,
  EventManagementApi,
  FinalizeInput,
  FinalizeOutcome,
  PurchaseDetails,
  PurchaseRow,
  RtmPaymentStatus,
} from "../../confirmation-endpoint/dataverse/types";
import { StoreError } from "../../confirmation-endpoint/errors";
import { ProviderError, WebhookVerificationError } from "../../confirmation-endpoint/providers/errors";
import type {
  CheckoutRequest,
  CheckoutSession,
  IdempotencyOptions,
  Money,
  PaymentEvent,
  PaymentProviderAdapter,
  PaymentSignal,
  PaymentState,
  RefundReason,
  RefundResult,
} from "../../confirmation-endpoint/providers/types";
import type { PaymentStore } from "../../confirmation-endpoint/store/types";

export const MINUTE = 60_000;

export class FakeClock {
  constructor(public t: number) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
  set(t: number): void {
    this.t = t;
  }
}

// ---------------------------------------------------------------- Dataverse

export interface FakePurchase {
  details: PurchaseDetails;
  row: PurchaseRow | null;
}

/** A scripted answer for one finalize call. */
export type FinalizeScript =
  | { kind: "ok" }
  | { kind: "reject"; reason?: string; code?: string }
  | { kind: "throw"; error: Error }
  /** The registration is created, then the answer is lost (timeout after send). */
  | { kind: "apply_then_throw"; error: Error }
  /** The registration is created, but the answer only comes when `release` resolves (a slow call). */
  | { kind: "apply_then_wait"; release: Promise<void> }
  /**
   * The call waits to be sent (the Dataverse client riding out a Retry-After) until `release`,
   * then registers and succeeds; if the call's signal aborts first, it is never sent.
   */
  | { kind: "held"; release: Promise<void> }
  /** Run a side effect (e.g. take the store down) and then behave like `then`. */
  | { kind: "hook"; run: () => void; then: FinalizeScript };

/** Finalize's answer when the registration was made. */
const FINALIZED: FinalizeOutcome = {
  outcome: "finalized",
  status: "Success",
  actionName: "msevtmgt_FinalizeExternalRegistrationRequest",
};

export class FakeDataverse implements EventManagementApi {
  purchases = new Map<string, FakePurchase>();
  registrations = new Map<string, number>();
  finalizeScript: FinalizeScript[] = [];
  calls: Array<{ op: string; purchaseId: string; options?: CallOptions; input?: FinalizeInput }> = [];
  unexpected: string[] = [];
  /** When set, every read throws it (Dataverse down). */
  readError: Error | null = null;
  /** When set, readPurchase throws it (the probe fails). */
  probeError: Error | null = null;

  addPurchase(p: {
    purchaseId: string;
    readableEventId?: string | null;
    amountMinor?: number;
    currency?: string;
    createdOn?: string | null;
    eventName?: string;
    contactId?: string | null;
    rowReadable?: boolean;
  }): void {
    this.purchases.set(p.purchaseId, {
      details: {
        purchaseId: p.purchaseId,
        eventName: p.eventName ?? "Paid Event",
        readableEventId: p.readableEventId === undefined ? "Paid_Event1479011247" : p.readableEventId,
        amountMinor: p.amountMinor ?? 2500,
        currency: p.currency ?? "EUR",
        attendees: [
          {
            name: "A. Attendee",
            email: "a@example.test",
            passName: "Standard",
            amountMinor: p.amountMinor ?? 2500,
          },
        ],
        source: "msevtmgt_ListDetailedPurchaseInfo",
      },
      row:
        p.rowReadable === false
          ? null
          : {
              purchaseId: p.purchaseId,
              paid: false,
              processed: false,
              createdOn: p.createdOn === undefined ? null : p.createdOn,
              purchasingContactId: p.contactId ?? null,
              totalMinor: null,
              currency: null,
            },
    });
  }

  finalizeCount(purchaseId?: string): number {
    return this.calls.filter(
      (c) => c.op === "finalize" && (purchaseId === undefined || c.purchaseId === purchaseId),
    ).length;
  }

  async getPurchaseDetails(purchaseId: string, options?: CallOptions): Promise<PurchaseDetails> {
    this.calls.push({ op: "details", purchaseId, options });
    if (this.readError) throw this.readError;
    const p = this.purchases.get(purchaseId);
    if (!p)
      throw new DataverseError({
        status: 404,
        code: "PURCHASE_NOT_FOUND",
        message: "no such purchase",
        retryable: false,
      });
    return structuredClone(p.details);
  }

  async readPurchase(purchaseId: string, options?: CallOptions): Promise<PurchaseRow | null> {
    this.calls.push({ op: "read", purchaseId, options });
    if (this.readError) throw this.readError;
    if (this.probeError) throw this.probeError;
    const p = this.purchases.get(purchaseId);
    if (!p || !p.row) return null;
    const processed = (this.registrations.get(purchaseId) ?? 0) > 0;
    return { ...p.row, processed: processed || p.row.processed, paid: processed || p.row.paid };
  }

  /** One more registration of `purchaseId` (the finalize took effect). */
  private register(purchaseId: string): void {
    this.registrations.set(purchaseId, (this.registrations.get(purchaseId) ?? 0) + 1);
  }

  async finalizeRegistration(input: FinalizeInput, options?: CallOptions): Promise<FinalizeOutcome> {
    this.calls.push({ op: "finalize", purchaseId: input.purchaseId, options, input });
    let script = this.finalizeScript.shift();
    if (!script) {
      this.unexpected.push(`finalizeRegistration(${input.purchaseId}) with no scripted answer`);
      throw new Error("unexpected finalize call");
    }
    while (script.kind === "hook") {
      script.run();
      script = script.then;
    }
    switch (script.kind) {
      case "ok":
        this.register(input.purchaseId);
        return FINALIZED;
      case "reject":
        return {
          outcome: "rejected",
          status: "Failure",
          reason: script.reason ?? "event is full",
          code: script.code ?? "0x80040265",
        };
      case "throw":
        throw script.error;
      case "apply_then_throw":
        this.register(input.purchaseId);
        throw script.error;
      case "held": {
        const signal = options?.signal;
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(signal?.reason ?? new Error("aborted"));
          if (signal?.aborted) return onAbort();
          signal?.addEventListener("abort", onAbort, { once: true });
          void script.release.then(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          });
        });
        this.register(input.purchaseId);
        return FINALIZED;
      }
      case "apply_then_wait":
        this.register(input.purchaseId);
        await script.release;
        return FINALIZED;
    }
  }

  async finalizeRtmPayment(
    purchaseId: string,
    _status: RtmPaymentStatus,
    _options?: CallOptions,
  ): Promise<void> {
    this.unexpected.push(`finalizeRtmPayment(${purchaseId})`);
    throw new Error("unexpected RTM call");
  }
}

export const transient = (retryAfterMs?: number) =>
  new DataverseError({
    status: 503,
    code: "0x80072323",
    message: "service unavailable",
    retryable: true,
    retryAfterMs,
  });
export const throttled = (retryAfterMs?: number) =>
  new DataverseError({
    status: 429,
    code: "0x80072326",
    message: "too many concurrent requests",
    retryable: true,
    retryAfterMs,
  });
export const ambiguousTimeout = () =>
  new DataverseError({
    status: 0,
    code: "ETIMEDOUT",
    message: "no answer after sending",
    retryable: true,
    ambiguous: true,
  });
export const deadlineExceeded = (deadline: number) =>
  new DeadlineExceededError("Retry-After reaches past the deadline", deadline, throttled(1_800_000));

// ---------------------------------------------------------------- Provider

export const WEBHOOK_SECRET = "whsec_test_fake";

interface FakeSession {
  id: string;
  purchaseId: string;
  request: CheckoutRequest;
  status: "open" | "paid" | "expired";
  paymentId: string | null;
  paidAmount: Money | null;
  /** Written on the object like the real adapter does; null: an object from before deployment ids. */
  deploymentId?: string | null;
}

/** The deployment id the fake provider writes on its objects and the harness's worker calls its own. */
export const FAKE_DEPLOYMENT = "test-deployment";

export class FakeProvider implements PaymentProviderAdapter {
  readonly name = "stripe" as const;
  sessions = new Map<string, FakeSession>();
  private sessionsByKey = new Map<string, string>();
  refunds = new Map<
    string,
    { refundId: string; paymentId: string; amount: Money; reason: RefundReason; calls: number }
  >();
  refundScript: Array<"ok" | "pending" | "failed" | Error | { hook: () => void }> = [];
  calls: Array<{ op: string; key?: string; ref?: string }> = [];
  unexpected: string[] = [];
  /** Side effect run inside getPayment/createCheckout (e.g. simulate a crash right after). */
  onGetPayment: (() => void) | null = null;
  onCreateCheckout: (() => void) | null = null;
  getPaymentError: Error | null = null;
  private counter = 0;

  constructor(private readonly clock: FakeClock) {}

  async createCheckout(request: CheckoutRequest, options: IdempotencyOptions): Promise<CheckoutSession> {
    this.calls.push({ op: "createCheckout", key: options.idempotencyKey });
    let id = this.sessionsByKey.get(options.idempotencyKey);
    if (id && JSON.stringify(this.sessions.get(id)!.request) !== JSON.stringify(request)) {
      // As Stripe: a key used again with other parameters is refused for good.
      throw new ProviderError({
        code: "IDEMPOTENCY_CONFLICT",
        message: "key reused with other parameters",
        retryable: false,
        operation: "create checkout session",
      });
    }
    if (!id) {
      id = `cs_test_${++this.counter}`;
      this.sessionsByKey.set(options.idempotencyKey, id);
      this.sessions.set(id, {
        id,
        purchaseId: request.purchaseId,
        request,
        status: "open",
        paymentId: null,
        paidAmount: null,
      });
    }
    this.onCreateCheckout?.();
    return {
      redirectUrl: `https://checkout.example.test/pay/${id}`,
      providerSessionId: id,
      expiresAt: new Date(this.clock.now() + 30.5 * MINUTE),
    };
  }

  async expireCheckout(
    sessionId: string,
    options: IdempotencyOptions,
  ): Promise<"expired" | "already_complete"> {
    this.calls.push({ op: "expireCheckout", key: options.idempotencyKey, ref: sessionId });
    if (this.getPaymentError) throw this.getPaymentError;
    const s = this.sessions.get(sessionId);
    if (!s) {
      this.unexpected.push(`expireCheckout(${sessionId})`);
      throw new Error("unknown session");
    }
    if (s.status === "paid") return "already_complete";
    s.status = "expired";
    return "expired";
  }

  /** The shopper pays on the hosted page (optionally a different amount, as a tampered page would). */
  pay(sessionId: string, amount?: Money): string {
    const s = this.sessions.get(sessionId);
    if (!s) throw new Error(`test bug: no session ${sessionId}`);
    s.status = "paid";
    s.paymentId = `pi_test_${++this.counter}`;
    s.paidAmount = amount ?? s.request.amount;
    return s.paymentId;
  }

  /** A session that was never created through createCheckout (a foreign page paying with our metadata). */
  addForeignPaidSession(
    purchaseId: string | null,
    amount: Money,
    deploymentId: string | null = FAKE_DEPLOYMENT,
  ): FakeSession {
    const id = `cs_foreign_${++this.counter}`;
    const s: FakeSession = {
      id,
      purchaseId: purchaseId ?? "",
      request: {
        purchaseId: purchaseId ?? "",
        readableEventId: "x",
        userId: null,
        mode: "outbound",
        amount,
        description: "x",
        locale: null,
        successUrl: "https://x",
        cancelUrl: "https://x",
        closeAt: new Date(0),
      },
      status: "paid",
      paymentId: `pi_foreign_${this.counter}`,
      paidAmount: amount,
      deploymentId,
    };
    this.sessions.set(id, s);
    return s;
  }

  verifyAndParse(input: { headers: Headers; body: Uint8Array; receivedAt: Date }): PaymentEvent[] {
    const header = input.headers.get("stripe-signature");
    if (!header) throw new WebhookVerificationError("BAD_SIGNATURE", "no Stripe-Signature header");
    const parts = Object.fromEntries(
      header.split(",").map((kv) => {
        const i = kv.indexOf("=");
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    ) as Record<string, string>;
    const t = Number(parts.t);
    if (!parts.t || !Number.isInteger(t)) throw new WebhookVerificationError("MALFORMED", "bad timestamp");
    const text = Buffer.from(input.body).toString("utf8");
    const expected = sign(t, text);
    if (parts.v1 !== expected) throw new WebhookVerificationError("BAD_SIGNATURE", "no signature matches");
    if (Math.abs(input.receivedAt.getTime() / 1000 - t) > 300)
      throw new WebhookVerificationError("STALE_TIMESTAMP", "timestamp outside 300 s");
    let event: FakeEventBody;
    try {
      event = JSON.parse(text) as FakeEventBody;
    } catch {
      throw new WebhookVerificationError("MALFORMED", "body is not JSON");
    }
    if (typeof event?.id !== "string" || typeof event.type !== "string")
      throw new WebhookVerificationError("MALFORMED", "not an event");
    return [
      {
        provider: "stripe",
        dedupeKey: event.id,
        type: event.type,
        signal: event.signal,
        purchaseId: event.purchaseId ?? null,
        providerPaymentId: event.paymentId ?? null,
        providerSessionId: event.sessionId ?? null,
        amount: event.amount ?? null,
        live: false,
        occurredAt: new Date(input.receivedAt),
      },
    ];
  }

  async getPayment(ref: { providerSessionId?: string; providerPaymentId?: string }): Promise<PaymentState> {
    this.calls.push({ op: "getPayment", ref: ref.providerSessionId ?? ref.providerPaymentId });
    if (this.getPaymentError) throw this.getPaymentError;
    const s = ref.providerSessionId
      ? this.sessions.get(ref.providerSessionId)
      : [...this.sessions.values()].find((x) => x.paymentId === ref.providerPaymentId);
    if (!s) {
      this.unexpected.push(`getPayment(${JSON.stringify(ref)})`);
      throw new Error("unknown payment");
    }
    this.onGetPayment?.();
    const signal: PaymentSignal =
      s.status === "paid" ? "paid" : s.status === "expired" ? "expired" : "pending";
    return {
      signal,
      amount: s.paidAmount,
      purchaseId: s.purchaseId || null,
      providerPaymentId: s.paymentId,
      providerSessionId: s.id,
      deploymentId: s.deploymentId === undefined ? FAKE_DEPLOYMENT : s.deploymentId,
      // As the real adapter: an object carrying another deployment's id is not ours.
      foreign: s.deploymentId !== undefined && s.deploymentId !== null && s.deploymentId !== FAKE_DEPLOYMENT,
      mode: s.request.mode,
    };
  }

  async refund(
    input: { providerPaymentId: string; amount: Money; reason: RefundReason; purchaseId: string },
    options: IdempotencyOptions,
  ): Promise<RefundResult> {
    this.calls.push({ op: "refund", key: options.idempotencyKey, ref: input.providerPaymentId });
    let step = this.refundScript.shift() ?? "ok";
    while (typeof step === "object" && "hook" in step) {
      step.hook();
      step = this.refundScript.shift() ?? "ok";
    }
    if (step instanceof Error) throw step;
    const existing = this.refunds.get(options.idempotencyKey);
    if (existing) {
      existing.calls += 1;
      return { refundId: existing.refundId, status: step === "failed" ? "failed" : "succeeded" };
    }
    const refundId = `re_test_${++this.counter}`;
    this.refunds.set(options.idempotencyKey, {
      refundId,
      paymentId: input.providerPaymentId,
      amount: input.amount,
      reason: input.reason,
      calls: 1,
    });
    return { refundId, status: step === "ok" ? "succeeded" : step };
  }

  refundCount(): number {
    return this.refunds.size;
  }

  /** Events the provider could not deliver (reconciliation reads them). */
  missed: PaymentEvent[] = [];
  async listMissedEvents(input: { since: Date }): Promise<PaymentEvent[]> {
    this.calls.push({ op: "listMissedEvents", ref: input.since.toISOString() });
    return this.missed.map((e) => ({ ...e }));
  }
}

export interface FakeEventBody {
  id: string;
  type: string;
  signal: PaymentSignal;
  purchaseId?: string | null;
  sessionId?: string | null;
  paymentId?: string | null;
  amount?: Money | null;
}

export function sign(t: number, body: string, secret = WEBHOOK_SECRET): string {
  return createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
}

// ---------------------------------------------------------------- Store switch

export interface StoreSwitch {
  store: PaymentStore;
  /** "up": pass through; "down": every call fails like a dead disk. */
  mode: "up" | "down";
}

/** Wrap a store so a test can take it down at any moment (outage, or the process dying mid-step). */
export function switchableStore(inner: PaymentStore): StoreSwitch {
  const sw: StoreSwitch = { store: inner, mode: "up" };
  sw.store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (sw.mode === "down" && prop !== "close")
          return Promise.reject(new StoreError(`simulated outage in ${String(prop)}`));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return sw;
}
