// This deployment's payments since a time, for reconcile: GET /v1/checkout/sessions with
// created[gte] and the payment intent's latest charge expanded (what was received and refunded),
// newest first in pages of 100. Sessions of another deployment or integration are left out.

import type Stripe from "stripe";
import { ProviderError } from "../errors";
import type { ListedPayment } from "../types";
import { fromStripeAmount } from "./currency";
import { toProviderError } from "./error-mapping";
import { readSessionState, type KitOwner } from "./events";

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function listed(session: Json, owner: KitOwner): ListedPayment | null {
  const state = readSessionState(session, owner);
  if (state.foreign || state.purchaseId === null) return null;
  const intent = isRecord(session["payment_intent"]) ? session["payment_intent"] : null;
  const charge = intent && isRecord(intent["latest_charge"]) ? intent["latest_charge"] : null;
  const received = intent ? fromStripeAmount(intent["amount_received"], intent["currency"]) : null;
  const paid = state.signal === "paid" || state.signal === "refunded";
  const refunded = charge?.["amount_refunded"];
  return {
    providerPaymentId: state.providerPaymentId,
    providerSessionId: state.providerSessionId,
    purchaseId: state.purchaseId,
    status: paid ? "paid" : session["status"] === "open" ? "open" : "unpaid",
    amount: paid && received && received.minor > 0 ? received : state.amount,
    refundedMinor: typeof refunded === "number" ? refunded : 0,
    createdAt: new Date(Number(session["created"]) * 1000),
  };
}

export async function listStripePayments(
  stripe: Stripe,
  input: { since: Date; max?: number },
  owner: KitOwner,
): Promise<ListedPayment[]> {
  const operation = "list checkout sessions";
  const max = input.max ?? 5000;
  const since = Math.floor(input.since.getTime() / 1000);
  if (!Number.isSafeInteger(since) || !Number.isInteger(max) || max < 1)
    throw new ProviderError({
      code: "INVALID_INPUT",
      message: "listPayments needs a valid since date and a positive max.",
      retryable: false,
      operation,
    });
  const out: ListedPayment[] = [];
  let startingAfter: string | undefined;
  let seen = 0;
  for (;;) {
    let page: Stripe.ApiList<Stripe.Checkout.Session>;
    try {
      page = await stripe.checkout.sessions.list({
        created: { gte: since },
        limit: 100,
        expand: ["data.payment_intent.latest_charge"],
        ...(startingAfter ? { starting_after: startingAfter } : {}),
      });
    } catch (error) {
      throw toProviderError(error, operation);
    }
    for (const session of page.data) {
      const one = listed(session as unknown as Json, owner);
      if (one) out.push(one);
    }
    seen += page.data.length;
    const last = page.data.at(-1);
    if (!page.has_more || !last || seen >= max) break;
    startingAfter = last.id;
  }
  return out;
}
