// The Stripe implementation of PaymentProviderAdapter, through the official SDK (stripe@23) with
// the API version the SDK pins. Outbound calls: hosted Checkout Session, expire, re-read, refund,
// each with the caller's idempotency key. Inbound: webhook verification by the kit's own code
// (stripe-signature.ts) because the SDK accepts future timestamps and a single secret only.

import Stripe from "stripe";
import { ProviderConfigError, ProviderError } from "../errors";
import { assertMoney, normalizeCurrency } from "../money";
import { buildCheckoutSessionParams, KIT_TAG } from "./checkout";
import { listStripePayments } from "./list-payments";
import { listMissedStripeEvents } from "./list-missed-events";
import { verifyStripeWebhook } from "./verify-webhook";
import { toStripeAmount } from "./currency";
import { toProviderError } from "./error-mapping";
import { readPaymentIntentState, readSessionState } from "./events";
import type { KitOwner } from "./events";
import { DEFAULT_SIGNATURE_TOLERANCE_SECONDS } from "./signature";
import type {
  CheckoutRequest,
  CheckoutSession,
  HeaderReader,
  IdempotencyOptions,
  Money,
  PaymentEvent,
  PaymentProviderAdapter,
  PaymentState,
  RefundCause,
  RefundResult,
} from "../types";

export interface StripeAdapterConfig {
  /** sk_live_… / sk_test_… (or a restricted rk_… key). */
  secretKey: string;
  /** Endpoint signing secrets (whsec_…); any of them may match, which is how rotation works. */
  webhookSecrets: string[];
  /** Where Stripe's API is served, e.g. http://127.0.0.1:1234 for the sandbox; unset in production. */
  apiBase?: string | null | undefined;
  /** Checkout payment methods; instant ones only (default ["card"]): delayed ones settle days later. */
  paymentMethodTypes?: string[] | undefined;
  /** SDK retries per call, with the same idempotency key (default 2). */
  maxNetworkRetries?: number | undefined;
  /** Per-request timeout in ms (default 20000). */
  timeoutMs?: number | undefined;
  /** Allowed distance of the signed timestamp from our clock, both directions (default 300 s; never 0). */
  toleranceSeconds?: number | undefined;
  /** Accept only events of this mode; by default derived from the key prefix (sk_live_ → live). */
  livemode?: boolean | undefined;
  /** ISO codes a checkout may use; empty or unset means any. */
  currencies?: string[] | undefined;
  /** Metadata tag that marks the kit's own objects (default "epg"); null accepts untagged objects. */
  kitTag?: string | null | undefined;
  /**
   * This deployment's id, written on every object it creates; objects carrying another id are
   * another deployment's and are left alone. Unset: objects of any deployment are accepted.
   */
  deploymentId?: string | null | undefined;
  /** The clock used for expires_at. */
  now?: (() => Date) | undefined;
}

export interface StripeAdapter extends PaymentProviderAdapter {
  readonly name: "stripe";
  /** Stripe's check is local (HMAC over the raw body), so it answers at once. */
  verifyAndParse(input: { headers: HeaderReader; body: Uint8Array; receivedAt: Date }): PaymentEvent[];
  expireCheckout(
    providerSessionId: string,
    options: IdempotencyOptions,
  ): Promise<"expired" | "already_complete">;
  /** The mode events must have, or null when it could not be derived and was not configured. */
  readonly livemode: boolean | null;
}

interface ResolvedConfig {
  transport: { host?: string; port?: number; protocol?: "http" | "https" };
  paymentMethodTypes: string[];
  maxNetworkRetries: number;
  timeoutMs: number;
  toleranceSeconds: number;
  livemode: boolean | null;
  currencies: string[];
  kitTag: string | null;
  owner: KitOwner;
  secrets: string[];
}

function deriveLivemode(secretKey: string): boolean | null {
  if (/^(sk|rk)_live_/.test(secretKey)) return true;
  if (/^(sk|rk)_test_/.test(secretKey)) return false;
  return null;
}

/** Check every option and report all problems at once. */
export function resolveStripeConfig(config: StripeAdapterConfig): ResolvedConfig {
  const problems: string[] = [];
  if (typeof config.secretKey !== "string" || config.secretKey.trim() === "" || /\s/.test(config.secretKey)) {
    problems.push("secretKey (STRIPE_SECRET_KEY) is missing or contains spaces; set the API secret key");
  }
  const secrets = Array.isArray(config.webhookSecrets)
    ? config.webhookSecrets.map((s) => (typeof s === "string" ? s.trim() : "")).filter((s) => s !== "")
    : [];
  if (secrets.length === 0) {
    problems.push(
      "webhookSecrets (STRIPE_WEBHOOK_SECRETS) has no secret; set the endpoint's signing secret(s), comma-separated",
    );
  }

  const transport: ResolvedConfig["transport"] = {};
  if (typeof config.apiBase === "string" && config.apiBase !== "") {
    let url: URL | null = null;
    try {
      url = new URL(config.apiBase);
    } catch {
      problems.push(
        `apiBase (STRIPE_API_BASE) ${JSON.stringify(config.apiBase)} is not a URL; use e.g. http://127.0.0.1:12111`,
      );
    }
    if (url) {
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        problems.push(`apiBase (STRIPE_API_BASE) must use http or https, got ${url.protocol}`);
      } else if (url.pathname !== "/" || url.search !== "" || url.username !== "") {
        problems.push(
          "apiBase (STRIPE_API_BASE) must be an origin only (scheme, host, port), without path, query or credentials",
        );
      } else {
        transport.protocol = url.protocol === "http:" ? "http" : "https";
        transport.host = url.hostname.replace(/^\[|\]$/g, "");
        transport.port = url.port === "" ? (transport.protocol === "http" ? 80 : 443) : Number(url.port);
      }
    }
  }

  const paymentMethodTypes = config.paymentMethodTypes ?? ["card"];
  if (paymentMethodTypes.length === 0 || paymentMethodTypes.some((t) => !/^[a-z][a-z0-9_]*$/.test(t))) {
    problems.push("paymentMethodTypes must list at least one Stripe payment method type such as card");
  }
  const maxNetworkRetries = config.maxNetworkRetries ?? 2;
  if (!Number.isInteger(maxNetworkRetries) || maxNetworkRetries < 0 || maxNetworkRetries > 10) {
    problems.push(
      `maxNetworkRetries must be a whole number from 0 to 10, got ${String(config.maxNetworkRetries)}`,
    );
  }
  const timeoutMs = config.timeoutMs ?? 20_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    problems.push(
      `timeoutMs must be a positive whole number of milliseconds, got ${String(config.timeoutMs)}`,
    );
  }
  const toleranceSeconds = config.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds <= 0 || toleranceSeconds > 3600) {
    problems.push(
      `toleranceSeconds must be more than 0 and at most 3600 (0 would switch the replay check off), got ${String(config.toleranceSeconds)}`,
    );
  }
  const currencies: string[] = [];
  for (const code of config.currencies ?? []) {
    try {
      currencies.push(normalizeCurrency(code));
    } catch (error) {
      problems.push(`currencies: ${(error as Error).message}`);
    }
  }
  const kitTag = config.kitTag === undefined ? KIT_TAG : config.kitTag;
  if (kitTag !== null && kitTag.trim() === "") problems.push("kitTag must be a non-empty string or null");

  if (problems.length > 0) throw new ProviderConfigError("Stripe", problems);
  return {
    transport,
    paymentMethodTypes: [...paymentMethodTypes],
    maxNetworkRetries,
    timeoutMs,
    toleranceSeconds,
    livemode: config.livemode ?? deriveLivemode(config.secretKey),
    currencies,
    kitTag,
    owner: { kitTag, deploymentId: config.deploymentId ?? null },
    secrets,
  };
}

function requireIdempotencyKey(options: IdempotencyOptions | undefined, operation: string): string {
  const key = options?.idempotencyKey;
  if (typeof key !== "string" || key === "" || key.length > 255) {
    throw new ProviderError({
      code: "INVALID_INPUT",
      message: `Stripe ${operation} needs an idempotency key of 1 to 255 characters (e.g. checkout:<purchaseId>:<attempt>).`,
      retryable: false,
      operation,
    });
  }
  return key;
}

function requireId(id: string | undefined, prefix: string, what: string, operation: string): string {
  if (typeof id !== "string" || id.trim() === "" || /[\s/?#]/.test(id)) {
    throw new ProviderError({
      code: "INVALID_INPUT",
      message: `Stripe ${operation}: ${what} ${JSON.stringify(id)} is not a Stripe id (expected ${prefix}…).`,
      retryable: false,
      operation,
    });
  }
  return id;
}

/** Stripe reason field: only "duplicate" fits one of the kit's reasons; the kit's own goes in metadata. */
function stripeRefundReason(reason: RefundCause): "duplicate" | undefined {
  return reason === "duplicate_payment" ? "duplicate" : undefined;
}

function refundStatus(status: string | null): RefundResult["status"] {
  switch (status) {
    case "succeeded":
      return "succeeded";
    case "failed":
    case "canceled":
    case "requires_action":
      return "failed";
    default:
      return "pending";
  }
}

export function createStripeAdapter(config: StripeAdapterConfig): StripeAdapter {
  const resolved = resolveStripeConfig(config);
  const now = config.now ?? (() => new Date());
  const stripe = new Stripe(config.secretKey, {
    maxNetworkRetries: resolved.maxNetworkRetries,
    timeout: resolved.timeoutMs,
    telemetry: false,
    ...resolved.transport,
  });

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toProviderError(error, operation);
    }
  }

  async function retrieveSession(sessionId: string): Promise<Stripe.Checkout.Session> {
    return call("retrieve checkout session", () =>
      stripe.checkout.sessions.retrieve(sessionId, { expand: ["payment_intent.latest_charge"] }),
    );
  }

  return {
    name: "stripe",
    livemode: resolved.livemode,

    async createCheckout(request: CheckoutRequest, options: IdempotencyOptions): Promise<CheckoutSession> {
      const operation = "create checkout session";
      const idempotencyKey = requireIdempotencyKey(options, operation);
      const params = buildCheckoutSessionParams(request, {
        now: now(),
        deploymentId: resolved.owner.deploymentId,
        paymentMethodTypes: resolved.paymentMethodTypes,
        allowedCurrencies: resolved.currencies,
      });
      const session = await call(operation, () =>
        stripe.checkout.sessions.create(params, { idempotencyKey }),
      );
      if (!session.url || typeof session.id !== "string" || typeof session.expires_at !== "number") {
        throw new ProviderError({
          code: "UNEXPECTED_RESPONSE",
          message: `Stripe created checkout session ${String(session.id)} for purchase ${request.purchaseId} without a hosted page URL or expiry; is ui_mode hosted?`,
          retryable: false,
          operation,
        });
      }
      return {
        redirectUrl: session.url,
        providerSessionId: session.id,
        expiresAt: new Date(session.expires_at * 1000),
      };
    },

    async expireCheckout(providerSessionId: string, options: IdempotencyOptions) {
      const operation = "expire checkout session";
      const sessionId = requireId(providerSessionId, "cs_", "session id", operation);
      const idempotencyKey = requireIdempotencyKey(options, operation);
      try {
        const session = await stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey });
        return session.status === "complete" ? "already_complete" : "expired";
      } catch (error) {
        const mapped = toProviderError(error, operation);
        // Stripe refuses to expire a session that is no longer open; its current state says why.
        if (mapped.code !== "PROVIDER_REJECTED" || mapped.statusCode !== 400) throw mapped;
        const session = await retrieveSession(sessionId);
        if (session.status === "complete") return "already_complete";
        if (session.status === "expired") return "expired";
        throw mapped;
      }
    },

    verifyAndParse: (input) => verifyStripeWebhook(input, resolved),

    async getPayment(ref: { providerSessionId?: string; providerPaymentId?: string }): Promise<PaymentState> {
      if (ref.providerSessionId) {
        const id = requireId(ref.providerSessionId, "cs_", "session id", "retrieve checkout session");
        const session = await retrieveSession(id);
        return readSessionState(session as unknown as Record<string, unknown>, resolved.owner);
      }
      if (ref.providerPaymentId) {
        const operation = "retrieve payment intent";
        const id = requireId(ref.providerPaymentId, "pi_", "payment intent id", operation);
        const intent = await call(operation, () =>
          stripe.paymentIntents.retrieve(id, { expand: ["latest_charge"] }),
        );
        const state = readPaymentIntentState(intent as unknown as Record<string, unknown>, resolved.owner);
        // The session the intent was paid through decides whether the kit opened that page, so the
        // same payment gets the same decision whichever of its events arrives first.
        const sessions = await call("list checkout sessions", () =>
          stripe.checkout.sessions.list({ payment_intent: id, limit: 1 }),
        );
        return { ...state, providerSessionId: sessions.data[0]?.id ?? null };
      }
      throw new ProviderError({
        code: "INVALID_INPUT",
        message: "getPayment needs providerSessionId or providerPaymentId; neither was given.",
        retryable: false,
        operation: "retrieve payment",
      });
    },

    listMissedEvents: (input) => listMissedStripeEvents(stripe, input, resolved),

    listPayments: (input) => listStripePayments(stripe, input, resolved.owner),

    async refund(
      input: { providerPaymentId: string; amount: Money; reason: RefundCause; purchaseId: string },
      options: IdempotencyOptions,
    ): Promise<RefundResult> {
      const operation = "create refund";
      const paymentIntent = requireId(input.providerPaymentId, "pi_", "payment intent id", operation);
      const idempotencyKey = requireIdempotencyKey(options, operation);
      let amount: number;
      try {
        amount = toStripeAmount(
          assertMoney(input.amount, `Refund of ${paymentIntent}`),
          `Refund of ${paymentIntent}`,
        );
      } catch (error) {
        throw new ProviderError({
          code: "INVALID_INPUT",
          message: (error as Error).message,
          retryable: false,
          operation,
          cause: error,
        });
      }
      const metadata: Record<string, string> = { refundReason: input.reason };
      if (input.purchaseId) metadata["purchaseId"] = input.purchaseId;
      if (resolved.kitTag !== null) metadata["kit"] = resolved.kitTag;
      if (resolved.owner.deploymentId !== null) metadata["deployment"] = resolved.owner.deploymentId;
      const reason = stripeRefundReason(input.reason);
      const refund = await call(operation, () =>
        stripe.refunds.create(
          {
            payment_intent: paymentIntent,
            amount,
            ...(reason ? { reason } : {}),
            metadata,
          },
          { idempotencyKey },
        ),
      );
      return {
        refundId: refund.id,
        status: refundStatus(refund.status),
        providerStatus: String(refund.status),
      };
    },
  };
}
