// Reads Stripe objects (events, sessions, payment intents) into the kit's vocabulary. Pure and
// defensive: the input came over the wire, so every field is checked before use.
//
// Decision rule (spec §1.3): paid only when a session is complete AND its payment_status is paid,
// or on async_payment_succeeded; expired counts only while unpaid; a declined attempt
// (payment_intent.payment_failed) does not end a Checkout Session, which stays open for another
// card, so it is recorded but not acted on.

import { fromStripeAmount } from "./currency";
import type { Money, PaymentEvent, PaymentSignal, PaymentState } from "../types";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** An id field that may be a plain id or an expanded object. */
function idOf(value: unknown): string | null {
  if (typeof value === "string") return text(value);
  if (isRecord(value)) return text(value["id"]);
  return null;
}

/** Whose objects this endpoint acts on: the kit's tag, and this deployment's id. */
export interface KitOwner {
  kitTag: string | null;
  /** null: accept any deployment (objects from before deployment ids are accepted either way). */
  deploymentId: string | null;
}

export interface KitReference {
  purchaseId: string | null;
  /**
   * Not ours: no kit tag (another integration on the same Stripe account), or another deployment's
   * id (dev and UAT on one test account, two portals on one live account).
   */
  foreign: boolean;
  /** The deployment id the object carries; null on objects made before deployment ids. */
  deploymentId: string | null;
  /** metadata.mode, the flow recorded at checkout. */
  mode: string | null;
}

/**
 * The purchase an object belongs to, read only from the kit's own fields: client_reference_id
 * and metadata.purchaseId (both set at checkout). When they disagree the answer is null.
 */
export function readKitReference(object: Json, owner: KitOwner): KitReference {
  const metadata = isRecord(object["metadata"]) ? object["metadata"] : {};
  const deploymentId = text(metadata["deployment"]);
  const mode = text(metadata["mode"]);
  const otherDeployment =
    owner.deploymentId !== null && deploymentId !== null && deploymentId !== owner.deploymentId;
  if ((owner.kitTag !== null && metadata["kit"] !== owner.kitTag) || otherDeployment) {
    return { purchaseId: null, foreign: true, deploymentId, mode };
  }
  const reference = text(object["client_reference_id"]);
  const fromMetadata = text(metadata["purchaseId"]);
  if (reference && fromMetadata && reference !== fromMetadata)
    return { purchaseId: null, foreign: false, deploymentId, mode };
  return { purchaseId: reference ?? fromMetadata, foreign: false, deploymentId, mode };
}

function sessionSignal(object: Json, eventType: string | null): PaymentSignal {
  const status = object["status"];
  const paymentStatus = object["payment_status"];
  switch (eventType) {
    case "checkout.session.async_payment_succeeded":
      return "paid";
    case "checkout.session.async_payment_failed":
      return "failed";
    case "checkout.session.expired":
      return paymentStatus === "paid" ? "ignored" : "expired";
    default:
      break;
  }
  // checkout.session.completed, and a re-read session.
  if (status === "complete" && paymentStatus === "paid") return "paid";
  if (status === "expired") return paymentStatus === "paid" ? "paid" : "expired";
  return "pending";
}

export function chargeIsFullyRefunded(charge: unknown): boolean {
  return isRecord(charge) && charge["refunded"] === true;
}

/** The authoritative state of a Checkout Session retrieved with payment_intent.latest_charge expanded. */
export function readSessionState(session: Json, owner: KitOwner): PaymentState {
  const intent = session["payment_intent"];
  const reference = readKitReference(session, owner);
  let signal = sessionSignal(session, null);
  if (signal === "paid" && isRecord(intent) && chargeIsFullyRefunded(intent["latest_charge"]))
    signal = "refunded";
  return {
    signal,
    amount: fromStripeAmount(session["amount_total"], session["currency"]),
    purchaseId: reference.purchaseId,
    foreign: reference.foreign,
    deploymentId: reference.deploymentId,
    mode: reference.mode,
    providerPaymentId: idOf(intent),
    providerSessionId: text(session["id"]),
    live: session["livemode"] === true,
    providerStatus: `${String(session["status"])}/${String(session["payment_status"])}`,
  };
}

function intentAmount(intent: Json): Money | null {
  const received = intent["amount_received"];
  const amount =
    intent["status"] === "succeeded" && typeof received === "number" && received > 0
      ? received
      : intent["amount"];
  return fromStripeAmount(amount, intent["currency"]);
}

function intentSignal(intent: Json): PaymentSignal {
  switch (intent["status"]) {
    case "succeeded":
      return chargeIsFullyRefunded(intent["latest_charge"]) ? "refunded" : "paid";
    case "canceled":
      return "failed";
    default:
      // processing, requires_payment_method/confirmation/action, requires_capture
      return "pending";
  }
}

/** The authoritative state of a PaymentIntent retrieved with latest_charge expanded. */
export function readPaymentIntentState(intent: Json, owner: KitOwner): PaymentState {
  const reference = readKitReference(intent, owner);
  return {
    signal: intentSignal(intent),
    amount: intentAmount(intent),
    purchaseId: reference.purchaseId,
    foreign: reference.foreign,
    deploymentId: reference.deploymentId,
    mode: reference.mode,
    providerPaymentId: text(intent["id"]),
    providerSessionId: null,
    live: intent["livemode"] === true,
    providerStatus: String(intent["status"]),
  };
}

function refundSignal(status: unknown): PaymentSignal {
  switch (status) {
    case "succeeded":
      return "refunded";
    case "failed":
    case "canceled":
    case "requires_action":
      // Each needs a person (spec §4.5): the worker dead-letters and alerts.
      return "refund_failed";
    default:
      return "ignored";
  }
}

/** Event types the README asks operators to subscribe the endpoint to. */
export const SUBSCRIBED_EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "charge.refunded",
  "refund.updated",
  "refund.failed",
  "charge.dispute.created",
] as const;

/** A verified Stripe event envelope, already checked for shape. */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  object: Json;
}

/** Check that parsed JSON looks like a Stripe event; null when it does not. */
export function readEventEnvelope(parsed: unknown): StripeEventEnvelope | null {
  if (!isRecord(parsed)) return null;
  // Ids and types are short in practice; a huge one is not an event the store should key on.
  const id = text(parsed["id"]);
  const type = text(parsed["type"]);
  if ((id && id.length > 255) || (type && type.length > 255)) return null;
  const created = parsed["created"];
  const livemode = parsed["livemode"];
  const data = parsed["data"];
  if (
    !id ||
    !type ||
    typeof created !== "number" ||
    // Seconds since 1970 that make a valid Date (the event's occurredAt).
    !Number.isSafeInteger(created) ||
    created < 0 ||
    created > 8_640_000_000_000 ||
    typeof livemode !== "boolean"
  ) {
    return null;
  }
  if (!isRecord(data) || !isRecord(data["object"])) return null;
  return { id, type, created, livemode, object: data["object"] };
}

/** Map one verified event to a PaymentEvent; unknown types come back as signal "ignored". */
export function mapStripeEvent(event: StripeEventEnvelope, owner: KitOwner): PaymentEvent {
  const object = event.object;
  const base = {
    provider: "stripe" as const,
    dedupeKey: event.id,
    type: event.type,
    live: event.livemode,
    occurredAt: new Date(event.created * 1000),
  };
  const objectType = text(object["object"]);

  if (event.type.startsWith("checkout.session.") && objectType !== "refund") {
    const reference = readKitReference(object, owner);
    return {
      ...base,
      signal: reference.foreign ? "ignored" : sessionSignal(object, event.type),
      purchaseId: reference.purchaseId,
      providerPaymentId: idOf(object["payment_intent"]),
      providerSessionId: text(object["id"]),
      amount: fromStripeAmount(object["amount_total"], object["currency"]),
      providerStatus: reference.foreign
        ? "foreign"
        : `${String(object["status"])}/${String(object["payment_status"])}`,
    };
  }

  if (event.type.startsWith("payment_intent.")) {
    const reference = readKitReference(object, owner);
    let signal: PaymentSignal = "ignored";
    if (event.type === "payment_intent.succeeded") signal = "paid";
    else if (event.type === "payment_intent.processing") signal = "pending";
    return {
      ...base,
      signal: reference.foreign ? "ignored" : signal,
      purchaseId: reference.purchaseId,
      providerPaymentId: text(object["id"]),
      providerSessionId: null,
      amount: intentAmount(object),
      providerStatus: reference.foreign ? "foreign" : String(object["status"]),
    };
  }

  if (event.type === "charge.refunded") {
    return {
      ...base,
      // A partial refund leaves the charge paid; the kit only refunds in full.
      signal: object["refunded"] === true ? "refunded" : "ignored",
      purchaseId: readKitReference(object, owner).purchaseId,
      providerPaymentId: idOf(object["payment_intent"]),
      providerSessionId: null,
      amount: fromStripeAmount(object["amount_refunded"], object["currency"]),
      providerStatus: object["refunded"] === true ? "refunded" : "partially_refunded",
    };
  }

  if (event.type.startsWith("refund.")) {
    return {
      ...base,
      signal: event.type === "refund.failed" ? "refund_failed" : refundSignal(object["status"]),
      purchaseId: readKitReference(object, owner).purchaseId,
      providerPaymentId: idOf(object["payment_intent"]),
      providerSessionId: null,
      providerRefundId: text(object["id"]),
      amount: fromStripeAmount(object["amount"], object["currency"]),
      providerStatus: String(object["status"]),
    };
  }

  if (event.type.startsWith("charge.dispute.")) {
    // Recorded for the reconciliation report; a dispute is settled by people, not by the worker.
    return {
      ...base,
      signal: "ignored",
      purchaseId: null,
      providerPaymentId: idOf(object["payment_intent"]),
      providerSessionId: null,
      amount: fromStripeAmount(object["amount"], object["currency"]),
      providerStatus: `dispute:${String(object["status"])}`,
    };
  }

  return {
    ...base,
    signal: "ignored",
    purchaseId: null,
    providerPaymentId: null,
    providerSessionId: null,
    amount: null,
    providerStatus: "unhandled_type",
  };
}
