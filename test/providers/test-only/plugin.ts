// A provider that exists only in the tests, registered the way a real one is (its own folder, its
// variables, its factory), to prove that adding a provider touches no core file. It exercises every
// optional seam the core offers: verification that is asynchronous, no expiry call, an "approved"
// signal with a capture step, and its own webhook acknowledgement ("[accepted]").

import { createHmac, timingSafeEqual } from "node:crypto";
import { WebhookVerificationError } from "../../../confirmation-endpoint/providers/errors";
import type { ProviderPlugin } from "../../../confirmation-endpoint/providers/registry";
import type {
  PaymentEvent,
  PaymentProviderAdapter,
  PaymentState,
} from "../../../confirmation-endpoint/providers/types";

interface Order {
  id: string;
  purchaseId: string;
  minor: number;
  currency: string;
  status: "created" | "approved" | "captured";
}

export interface TestPayAdapter extends PaymentProviderAdapter {
  readonly orders: Map<string, Order>;
  readonly captures: string[];
  /** The buyer approves at the provider; returns the signed webhook the provider would send. */
  approve(orderId: string): { body: string; signature: string };
}

export function createTestPayAdapter(secret: string): TestPayAdapter {
  const orders = new Map<string, Order>();
  const captures: string[] = [];
  const sign = (body: string) => createHmac("sha256", secret).update(body).digest("hex");
  const stateOf = (o: Order): PaymentState => ({
    signal: o.status === "captured" ? "paid" : o.status === "approved" ? "approved" : "pending",
    amount: { minor: o.minor, currency: o.currency },
    purchaseId: o.purchaseId,
    providerPaymentId: o.id,
    providerSessionId: o.id,
  });
  return {
    name: "testpay",
    orders,
    captures,
    async createCheckout(request) {
      const id = `order_${orders.size + 1}`;
      orders.set(id, {
        id,
        purchaseId: request.purchaseId,
        minor: request.amount.minor,
        currency: request.amount.currency,
        status: "created",
      });
      return {
        redirectUrl: `https://testpay.invalid/approve/${id}`,
        providerSessionId: id,
        expiresAt: request.closeAt,
      };
    },
    async verifyAndParse({ headers, body }) {
      await Promise.resolve(); // a real one would ask the provider's API
      const expected = Buffer.from(sign(Buffer.from(body).toString("utf8")));
      const given = Buffer.from(headers.get("x-testpay-signature") ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new WebhookVerificationError("BAD_SIGNATURE", "testpay signature does not match");
      }
      const parsed = JSON.parse(Buffer.from(body).toString("utf8")) as { id: string; orderId: string };
      const order = orders.get(parsed.orderId);
      const event: PaymentEvent = {
        provider: "testpay",
        dedupeKey: parsed.id,
        type: "order.approved",
        signal: "approved",
        purchaseId: order?.purchaseId ?? null,
        providerPaymentId: parsed.orderId,
        providerSessionId: parsed.orderId,
        amount: order ? { minor: order.minor, currency: order.currency } : null,
        live: false,
        occurredAt: new Date(),
      };
      return [event];
    },
    async getPayment(ref) {
      const order = orders.get(ref.providerPaymentId ?? ref.providerSessionId ?? "");
      if (!order) throw new Error("no such order");
      return stateOf(order);
    },
    async capture(ref, options) {
      const order = orders.get(ref.providerPaymentId ?? ref.providerSessionId ?? "")!;
      if (order.status !== "captured") captures.push(options.idempotencyKey);
      order.status = "captured";
      return stateOf(order);
    },
    async refund(input) {
      return { refundId: `refund_${input.providerPaymentId}`, status: "succeeded" };
    },
    acknowledgeWebhook: () => ({ status: 200, contentType: "text/plain", body: "[accepted]" }),
    approve(orderId) {
      orders.get(orderId)!.status = "approved";
      const body = JSON.stringify({ id: `evt_${orderId}`, orderId });
      return { body, signature: sign(body) };
    },
  };
}

/** The plugin: TESTPAY_SECRET, and the adapter built from it. */
export const testPayProvider: ProviderPlugin<{ secret: string }> = {
  name: "testpay",
  variables: ["TESTPAY_SECRET"],
  readEnv(env, required) {
    const secret = env.TESTPAY_SECRET?.trim();
    if (!secret) return required ? { problems: ["TESTPAY_SECRET: is required"] } : null;
    return { config: { secret } };
  },
  create: (config) => createTestPayAdapter(config.secret),
};
