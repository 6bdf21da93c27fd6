// Start (or resume) payment for a purchase: the amount comes from Dataverse only, the deadline is
// fixed once per purchase, an open hosted page is handed back instead of a second one, and the
// provider call uses the reserved attempt's key, so a crash between "session created" and
// "session recorded" yields the same session on the next try. Shared by POST /v1/checkout and the
// RTM redirect route (issue 8): the mode decides where the price is read and which window applies.

import type { DeadlinePolicy, EventMode } from "../config";
import type { PurchaseRow } from "../dataverse/types";
import { canStartPayment, computePurchaseTimes } from "../deadline";
import type { EndpointDeps } from "../deps";
import { CheckoutError, refusalFromDataverse } from "./errors";
import { orderLines } from "./order-lines";
import { closeCheckoutJob, guardJob } from "../lifecycle/jobs";
import { visibleStatus } from "../lifecycle/visible-status";
import type { Logger } from "../logger";
import { ProviderError } from "../providers/errors";
import type { CheckoutSession } from "../providers/types";
import type { AttendeeSummary, CheckoutRecord, NewPurchase, PurchaseRecord } from "../store/types";
import { receiptEmailFor } from "./receipt-email";
import { checkoutAttemptKey, returnsElsewhere, returnTag, withReturnMarker } from "./return-url";

const DATAVERSE_CALL_BUDGET_MS = 15_000;

export interface StartCheckoutDeps extends EndpointDeps {
  deadlinePolicy: DeadlinePolicy;
  /** Hand the buyer's e-mail to the provider for its receipt (receipt-email.ts); absent: off. */
  sendProviderReceipts?: boolean;
}

export interface StartCheckoutInput {
  purchaseId: string;
  /** Null in RTM mode, where the redirect carries no event id. */
  readableEventId: string | null;
  /** What the browser claims; the purchase row's purchasing contact wins when readable. */
  claimedUserId: string | null;
  locale: string | null;
  /** The portal page to come back to; its origin is already checked against the allow-list. */
  returnUrl: string;
  /** The portal's confirmation page path, as the page knows it (checked to be a site path). */
  confirmationPath?: string | null;
  mode: EventMode;
  /** Where the provider's cancel button leads; default: returnUrl with the cancel marker. */
  cancelUrl?: string | null;
  /** RTM: the event's name when the caller read it (the redirect carries no event details). */
  eventName?: string | null;
}

export interface StartCheckoutResult {
  purchase: PurchaseRecord;
  checkout: CheckoutRecord & { providerSessionId: string; redirectUrl: string; expiresAt: number };
  resumed: boolean;
}

export async function startCheckout(
  deps: StartCheckoutDeps,
  input: StartCheckoutInput,
): Promise<StartCheckoutResult> {
  const { store, clock } = deps;
  const now = clock.now();
  const known = await store.getPurchase(input.purchaseId);
  if (known && known.mode !== input.mode) {
    throw new CheckoutError(
      "WRONG_FLOW",
      known.mode === "rtm"
        ? "This purchase is paid through its real-time journeys payment link, not on the portal."
        : "This purchase was started on the Event Portal; pay for it on the portal's payment page.",
    );
  }
  if (known) {
    refuseClosedPurchase({ state: visibleStatus(known, await store.listPayments(known.purchaseId)) });
    if (!canStartPayment(known, now, deps.deadlinePolicy)) {
      // Too late for a new page, but one already open may still be used until it closes.
      const open = (await store.listCheckouts(known.purchaseId)).find(
        (c) =>
          c.state === "open" &&
          c.providerSessionId &&
          c.redirectUrl &&
          c.expiresAt !== null &&
          c.expiresAt > now,
      );
      if (open && now < known.closeAt) {
        deps.metrics.increment("gateway_checkouts_total", { outcome: "resumed" });
        return {
          purchase: known,
          checkout: {
            ...open,
            providerSessionId: open.providerSessionId!,
            redirectUrl: open.redirectUrl!,
            expiresAt: open.expiresAt!,
          },
          resumed: true,
        };
      }
      deps.metrics.increment("gateway_checkouts_total", { outcome: "too_late" });
      throw tooLate();
    }
  }
  if (known) assertSameEvent(known.readableEventId, input.readableEventId);

  const hints: SnapshotHints = { firstAttendeeEmail: null };
  const fresh = known ?? (await snapshotPurchase(deps, input, now, hints));
  const returnOrigin = new URL(input.returnUrl).origin;
  const tag = returnTag(input.returnUrl);
  const reserve = () =>
    store.beginCheckout({
      purchase: { ...fresh, returnOrigin, confirmationPath: input.confirmationPath ?? null },
      provider: deps.providers.active.name,
      now,
      idempotencyKeyFor: (attempt) => checkoutAttemptKey(input.purchaseId, attempt, tag),
      jobs: [closeCheckoutJob(input.purchaseId, fresh.closeAt), guardJob(input.purchaseId, fresh.guardAt)],
    });
  const reserved = await reserve();
  const { purchase } = reserved;
  let { checkout } = reserved;
  refuseClosedPurchase(purchase);
  // An open page that would bring the attendee back to another address (another language) is
  // closed at the provider and replaced, when the provider can close it.
  if (checkout.state === "open" && returnsElsewhere(checkout.idempotencyKey, tag)) {
    if (await closeSupersededPage(deps, checkout)) ({ checkout } = await reserve());
  }

  if (
    checkout.state === "open" &&
    checkout.providerSessionId &&
    checkout.redirectUrl &&
    checkout.expiresAt !== null
  ) {
    deps.metrics.increment("gateway_checkouts_total", { outcome: "resumed" });
    return {
      purchase,
      checkout: {
        ...checkout,
        providerSessionId: checkout.providerSessionId,
        redirectUrl: checkout.redirectUrl,
        expiresAt: checkout.expiresAt,
      },
      resumed: true,
    };
  }

  const receiptEmail = deps.sendProviderReceipts
    ? await receiptEmailFor(deps, purchase, hints.firstAttendeeEmail)
    : null;
  let session: CheckoutSession;
  try {
    session = await createSession(deps, input, purchase, checkout, receiptEmail);
  } catch (error) {
    if (!(error instanceof CheckoutError) || !isIdempotencyConflict(error.cause)) throw error;
    // The attempt's key was spent on other parameters (a crash after the provider created the page,
    // then a retry that differs): that key can never succeed, so the next attempt takes a new one.
    await store.abandonCheckoutAttempt(purchase.purchaseId, checkout.attempt);
    ({ checkout } = await reserve());
    session = await createSession(deps, input, purchase, checkout, receiptEmail);
  }
  await store.recordCheckoutSession({
    purchaseId: purchase.purchaseId,
    attempt: checkout.attempt,
    providerSessionId: session.providerSessionId,
    redirectUrl: session.redirectUrl,
    expiresAt: session.expiresAt.getTime(),
  });
  deps.metrics.increment("gateway_checkouts_total", { outcome: "created" });
  deps.logger.log("info", "checkout", {
    purchaseId: purchase.purchaseId,
    providerSessionId: session.providerSessionId,
    attempt: checkout.attempt,
    outcome: "created",
  });
  return {
    purchase,
    checkout: {
      ...checkout,
      state: "open",
      providerSessionId: session.providerSessionId,
      redirectUrl: session.redirectUrl,
      expiresAt: session.expiresAt.getTime(),
    },
    resumed: false,
  };
}

/**
 * Closes an open hosted page opened for other return URLs; true when it is closed and its attempt
 * given up. A provider that cannot close pages, or a failed call, keeps the page (false): two open
 * pages could take two payments. A page already paid means the purchase is being paid.
 */
async function closeSupersededPage(deps: StartCheckoutDeps, checkout: CheckoutRecord): Promise<boolean> {
  const adapter = deps.providers.get(checkout.provider);
  const sessionId = checkout.providerSessionId;
  const fields = { purchaseId: checkout.purchaseId, attempt: checkout.attempt };
  if (!adapter?.expireCheckout || !sessionId) {
    deps.logger.log("info", "checkout: open page kept for its first return address", fields);
    return false;
  }
  let result: "expired" | "already_complete";
  try {
    result = await adapter.expireCheckout(sessionId, { idempotencyKey: `expire:${sessionId}` });
  } catch (error) {
    deps.logger.log("warn", "checkout: could not close the open page; keeping it", { ...fields, error });
    return false;
  }
  if (result === "already_complete") {
    throw new CheckoutError(
      "ALREADY_PAID",
      "This purchase was just paid on its open payment page; check its status instead of paying again.",
    );
  }
  await deps.store.abandonCheckoutAttempt(checkout.purchaseId, checkout.attempt);
  deps.logger.log("info", "checkout: open page replaced for a new return address", fields);
  return true;
}

const isIdempotencyConflict = (error: unknown) =>
  error instanceof ProviderError && error.code === "IDEMPOTENCY_CONFLICT";

/** Open the hosted page for a reserved attempt, with that attempt's key and reservation time. */
async function createSession(
  deps: StartCheckoutDeps,
  input: StartCheckoutInput,
  purchase: PurchaseRecord,
  checkout: CheckoutRecord,
  receiptEmail: string | null,
): Promise<CheckoutSession> {
  try {
    return await deps.providers.active.createCheckout(
      {
        purchaseId: purchase.purchaseId,
        readableEventId: purchase.readableEventId,
        userId: purchase.userId === "" ? null : purchase.userId,
        mode: purchase.mode,
        amount: { minor: purchase.expectedMinor, currency: purchase.currency },
        description: describePurchase(purchase),
        lines: orderLines(purchase),
        locale: input.locale,
        successUrl: withReturnMarker(input.returnUrl, "success"),
        cancelUrl: input.cancelUrl ?? withReturnMarker(input.returnUrl, "cancel"),
        closeAt: new Date(purchase.closeAt),
        requestedAt: new Date(checkout.createdAt),
        ...(receiptEmail ? { receiptEmail } : {}),
      },
      { idempotencyKey: checkout.idempotencyKey },
    );
  } catch (error) {
    deps.metrics.increment("gateway_checkouts_total", { outcome: "provider_failed" });
    const retryable = (error as { retryable?: unknown }).retryable !== false;
    throw new CheckoutError(
      retryable ? "PROVIDER_UNAVAILABLE" : "PROVIDER_ERROR",
      "The payment provider could not open a payment page; try again in a moment.",
      error,
    );
  }
}

function tooLate(): CheckoutError {
  return new CheckoutError(
    "TOO_LATE",
    "The time to pay for this registration has run out; register again from the event page.",
  );
}

function refuseClosedPurchase(p: Pick<PurchaseRecord, "state">): void {
  if (p.state === "paid" || p.state === "finalizing" || p.state === "finalized") {
    throw new CheckoutError(
      "ALREADY_PAID",
      "This purchase is already paid; its registration is being confirmed. Check its status instead of paying again.",
    );
  }
  if (p.state === "refund_pending" || p.state === "refunded" || p.state === "failed") {
    throw new CheckoutError(
      "PURCHASE_CLOSED",
      "This purchase was closed and its payment returned; register again from the event page.",
    );
  }
  if (p.state === "expired") {
    throw tooLate();
  }
}

/** The purchase as Dataverse has it (price, attendees, t0 and deadlines), refused when it cannot be paid now. */
/** What the snapshot read and the checkout may use once, without storing it (personal data). */
export interface SnapshotHints {
  firstAttendeeEmail: string | null;
}

export async function snapshotPurchase(
  deps: StartCheckoutDeps,
  input: StartCheckoutInput,
  now: number,
  hints: SnapshotHints = { firstAttendeeEmail: null },
): Promise<Omit<NewPurchase, "returnOrigin" | "confirmationPath">> {
  const deadline = now + DATAVERSE_CALL_BUDGET_MS;
  let row: PurchaseRow | null = null;
  try {
    row = await deps.dataverse.readPurchase(input.purchaseId, { deadline });
  } catch (error) {
    if (input.mode === "rtm") throw mapDataverseError(error, input.purchaseId, deps.logger);
    // Outbound mode only needs the row for t0 and the buyer; without it, first sight is used.
    deps.logger.log("warn", "purchase row unreadable; t0 falls back to first sight", {
      purchaseId: input.purchaseId,
      error,
    });
  }
  if (row?.processed === true || row?.paid === true) {
    throw new CheckoutError(
      "ALREADY_PAID",
      "Dynamics already records this purchase as paid; check its status instead of paying again.",
    );
  }

  let amountMinor: number;
  let currency: string;
  let eventName: string | null = null;
  let readableEventId = input.readableEventId;
  let attendees: AttendeeSummary[] = [];
  if (input.mode === "rtm") {
    if (!row)
      throw new CheckoutError(
        "PURCHASE_NOT_FOUND",
        "No purchase with this id exists (yet); start again from the registration.",
      );
    if (row.totalMinor === null || row.currency === null) {
      throw new CheckoutError(
        "PURCHASE_UNREADABLE",
        "The purchase's price could not be read from Dynamics; the organizer must check the event setup.",
      );
    }
    amountMinor = row.totalMinor;
    currency = row.currency;
    eventName = input.eventName ?? null;
  } else {
    let details;
    try {
      details = await deps.dataverse.getPurchaseDetails(input.purchaseId, { deadline });
    } catch (error) {
      throw mapDataverseError(error, input.purchaseId, deps.logger);
    }
    assertSameEvent(details.readableEventId, input.readableEventId);
    readableEventId = details.readableEventId ?? input.readableEventId;
    amountMinor = details.amountMinor;
    currency = details.currency.toUpperCase();
    eventName = details.eventName;
    hints.firstAttendeeEmail = details.attendees.find((a) => a.email)?.email ?? null;
    attendees = details.attendees.map((a) => ({
      name: a.name,
      passName: a.passName,
      amountMinor: a.amountMinor,
    }));
  }
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0 || !/^[A-Z]{3}$/.test(currency)) {
    throw new CheckoutError(
      "PURCHASE_UNREADABLE",
      "The purchase's amount could not be read from Dynamics; the organizer must check the event setup.",
    );
  }

  const policy = deps.deadlinePolicy;
  const firstSight = now - policy.t0FallbackBackdateMinutes * 60_000;
  const createdOn = row?.createdOn ? Date.parse(row.createdOn) : NaN;
  // t0 is the purchase's createdon when readable (spec: register + window); a missing one, or one
  // in this server's future (clock skew), falls back to first sight backdated by the configured margin.
  const useCreated = Number.isFinite(createdOn) && createdOn <= now;
  const t0 = useCreated ? createdOn : firstSight;
  const times = computePurchaseTimes(t0, input.mode, policy);
  if (!canStartPayment(times, now, policy)) {
    deps.metrics.increment("gateway_checkouts_total", { outcome: "too_late" });
    throw tooLate();
  }
  const contact = row?.purchasingContactId ?? null;
  if (contact && input.claimedUserId && contact.toLowerCase() !== input.claimedUserId.toLowerCase()) {
    deps.logger.log(
      "warn",
      "claimed user differs from the purchasing contact; using the purchasing contact",
      { purchaseId: input.purchaseId },
    );
  }
  return {
    purchaseId: input.purchaseId,
    mode: input.mode,
    readableEventId: readableEventId ?? "",
    userId: (contact ?? input.claimedUserId ?? "").toLowerCase(),
    eventName,
    attendees,
    expectedMinor: amountMinor,
    currency,
    t0,
    t0Source: useCreated ? "createdon" : "first_sight",
    deadlineAt: times.deadlineAt,
    guardAt: times.guardAt,
    closeAt: times.closeAt,
  };
}

function mapDataverseError(error: unknown, purchaseId: string, logger: Logger): CheckoutError {
  const refusal = refusalFromDataverse(error);
  // A made-up id is counted and its line sampled by the route, not logged once per request.
  if (refusal.code !== "PURCHASE_NOT_FOUND")
    logger.log("warn", "dataverse read failed during checkout", { purchaseId, error });
  return refusal;
}

function describePurchase(p: PurchaseRecord): string {
  const passes = p.attendees.map((a) => a.passName).filter((n): n is string => !!n);
  const name = p.eventName ?? p.readableEventId;
  return passes.length > 0 ? `${name}: ${passes.join(", ")}`.slice(0, 200) : name.slice(0, 200);
}

/** The readable event id the page sent must be the purchase's own, when both are known. */
function assertSameEvent(actual: string | null, claimed: string | null): void {
  if (actual !== null && claimed !== null && actual.toLowerCase() !== claimed.toLowerCase()) {
    throw new CheckoutError(
      "EVENT_MISMATCH",
      "The purchase belongs to another event; start again from the event's registration page.",
    );
  }
}
