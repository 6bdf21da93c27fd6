// The event-management custom actions, unbound, as the Web API exposes them. Each entry lists its
// parameters and outputs (which $metadata publishes) and the function that runs it.
//
// Request names and the finalize semantics are CONFIRMED by the spec (§5); the output shapes of the
// two purchase-detail actions and of finalize are unpublished, so the stand-in answers the shapes the
// kit chose (INFERRED) and the README says so.
import { normalizeGuid } from "../../common/guid";
import { DataverseFault, ErrorCodes } from "./errors";
import {
  convertToRegistrations,
  loadPurchase,
  releaseReservation,
  type PurchaseView,
} from "./purchase-model";
import type { StandInContext } from "./context";

export interface ActionParameter {
  name: string;
  type: "Edm.String" | "Edm.Int32" | "Edm.Guid" | "Edm.Decimal";
  optional?: boolean;
}

export interface ActionCaller {
  clientId: string;
  userId: string;
}

export interface ActionDefinition {
  name: string;
  parameters: ActionParameter[];
  /** Output properties of <name>Response; null ⇒ the action answers 204. */
  outputs: ActionParameter[] | null;
  run(
    ctx: StandInContext,
    body: Record<string, unknown>,
    caller: ActionCaller,
  ): Record<string, unknown> | null;
}

/** Finalize answers Success both the first and any later time (INFERRED: repeat behaviour is unpublished). */
const finalizeSuccessStatus = "Success";

function money(value: unknown): number {
  const n = Number(value ?? 0);
  return Math.round(n * 10000) / 10000;
}

function describe(ctx: StandInContext, purchase: PurchaseView) {
  const attendees = purchase.attendees.map((a) => {
    const pass = a.passId ? ctx.store.get("msevtmgt_passes", a.passId) : undefined;
    return {
      FirstName: a.firstName,
      LastName: a.lastName,
      Email: a.email,
      PassName: pass ? String(pass.msevtmgt_name ?? "") : null,
      PassPrice: pass ? money(pass.msevtmgt_passprice) : null,
    };
  });
  return {
    EventName: String(purchase.event.msevtmgt_name ?? ""),
    ReadableEventId: String(purchase.event.msevtmgt_readableeventid ?? ""),
    TotalAmount: money(purchase.record.msevtmgt_totalprice),
    CurrencyName: purchase.currency ? String(purchase.currency.currencyname ?? "") : "",
    CurrencyIsoCode: purchase.currency ? String(purchase.currency.isocurrencycode ?? "") : "",
    CurrencySymbol: purchase.currency ? String(purchase.currency.currencysymbol ?? "") : "",
    Attendees: attendees,
  };
}

const purchaseIdParameter: ActionParameter[] = [{ name: "PurchaseId", type: "Edm.String" }];

const listDetailedPurchaseInfo: ActionDefinition = {
  name: "msevtmgt_ListDetailedPurchaseInfo",
  parameters: purchaseIdParameter,
  outputs: [{ name: "PurchaseDetails", type: "Edm.String" }],
  run(ctx, body) {
    const d = describe(ctx, loadPurchase(ctx, body.PurchaseId, "PurchaseId"));
    return {
      PurchaseDetails: JSON.stringify({
        EventName: d.EventName,
        ReadableEventId: d.ReadableEventId,
        TotalAmount: d.TotalAmount,
        CurrencyIsoCode: d.CurrencyIsoCode,
        CurrencySymbol: d.CurrencySymbol,
        Attendees: d.Attendees,
      }),
    };
  },
};

const getPurchaseDetails: ActionDefinition = {
  name: "msevtmgt_GetPurchaseDetailsAction",
  parameters: purchaseIdParameter,
  outputs: [
    { name: "EventName", type: "Edm.String" },
    { name: "TotalAmount", type: "Edm.Decimal" },
    { name: "CurrencyName", type: "Edm.String" },
    { name: "CurrencyIsoCode", type: "Edm.String" },
    { name: "CurrencySymbol", type: "Edm.String" },
  ],
  run(ctx, body) {
    const d = describe(ctx, loadPurchase(ctx, body.PurchaseId, "PurchaseId"));
    return {
      EventName: d.EventName,
      TotalAmount: d.TotalAmount,
      CurrencyName: d.CurrencyName,
      CurrencyIsoCode: d.CurrencyIsoCode,
      CurrencySymbol: d.CurrencySymbol,
    };
  },
};

function refuse(message: string, subErrorCode: string): DataverseFault {
  return new DataverseFault(400, ErrorCodes.pluginRefused, message, { subErrorCode });
}

function finalizeExternal(prefix: "msevtmgt" | "adx"): ActionDefinition {
  return {
    name: `${prefix}_FinalizeExternalRegistrationRequest`,
    parameters: [
      { name: "PurchaseId", type: "Edm.String" },
      { name: "ReadableEventId", type: "Edm.String" },
      { name: "UserId", type: "Edm.String", optional: true },
    ],
    outputs: [{ name: "status", type: "Edm.String" }],
    run(ctx, body) {
      return ctx.store.transaction(() => {
        const purchase = loadPurchase(ctx, body.PurchaseId, "PurchaseId");
        const readable = typeof body.ReadableEventId === "string" ? body.ReadableEventId.trim() : "";
        const eventReadable = String(purchase.event.msevtmgt_readableeventid ?? "");
        if (readable.toLowerCase() !== eventReadable.toLowerCase()) {
          throw refuse(
            `ReadableEventId '${readable}' does not match purchase ${purchase.id}, which belongs to event '${eventReadable}'. Send the readable id of the purchase's own event.`,
            "ReadableEventIdMismatch",
          );
        }
        const userId = body.UserId;
        if (
          userId !== undefined &&
          userId !== null &&
          userId !== "" &&
          !(typeof userId === "string" && normalizeGuid(userId))
        ) {
          throw new DataverseFault(
            400,
            ErrorCodes.invalidArgument,
            `UserId '${String(userId)}' is not a contact GUID: send the contact id, or "" for an anonymous registration.`,
          );
        }
        if (purchase.mode !== "outbound") {
          throw refuse(
            `Purchase ${purchase.id} was registered through real-time journeys: settle it with msevtmgt_finalizeregistrationpayment instead.`,
            "WrongFlow",
          );
        }
        if (purchase.state === "completed") return { status: finalizeSuccessStatus };
        if (purchase.state === "cancelled")
          throw refuse(
            `Purchase ${purchase.id} was cancelled and can no longer be finalized.`,
            "PurchaseCancelled",
          );
        if (ctx.now() >= purchase.expiresAt) {
          throw refuse(
            `Purchase ${purchase.id} expired at ${new Date(purchase.expiresAt).toISOString()}: a temporary registration must be finalized within ${Math.round(ctx.knobs.purchaseLifetimeMs / 60000)} minutes. Refund the payment; the attendee registers again.`,
            "PurchaseExpired",
          );
        }
        convertToRegistrations(ctx, purchase);
        return { status: finalizeSuccessStatus };
      });
    },
  };
}

/** RTM payment status values, CONFIRMED by the spec. */
export const RtmPaymentStatus = { cancelled: 100000000, completed: 100000001 } as const;

const finalizeRegistrationPayment: ActionDefinition = {
  name: "msevtmgt_finalizeregistrationpayment",
  parameters: [
    { name: "msevtmgt_purchaseid", type: "Edm.String" },
    { name: "msevtmgt_paymentstatus", type: "Edm.Int32" },
  ],
  outputs: null,
  run(ctx, body) {
    // The timed-out release must stay committed even though the call fails, so the refusal is
    // thrown after the transaction.
    const expired = ctx.store.transaction((): PurchaseView | null => {
      const status = body.msevtmgt_paymentstatus;
      if (status !== RtmPaymentStatus.completed && status !== RtmPaymentStatus.cancelled) {
        throw new DataverseFault(
          400,
          ErrorCodes.invalidArgument,
          `msevtmgt_paymentstatus must be ${RtmPaymentStatus.completed} (Completed) or ${RtmPaymentStatus.cancelled} (Cancelled), got ${JSON.stringify(status)}.`,
        );
      }
      const purchase = loadPurchase(ctx, body.msevtmgt_purchaseid, "msevtmgt_purchaseid");
      if (purchase.mode !== "rtm") {
        throw refuse(
          `Purchase ${purchase.id} came from the Event Portal: finalize it with msevtmgt_FinalizeExternalRegistrationRequest.`,
          "WrongFlow",
        );
      }
      if (status === RtmPaymentStatus.cancelled) {
        if (purchase.state === "completed")
          throw refuse(
            `Purchase ${purchase.id} is already paid and confirmed; it cannot be cancelled. Refund it instead.`,
            "AlreadyCompleted",
          );
        if (purchase.state === "pending") releaseReservation(ctx, purchase);
        return null;
      }
      if (purchase.state === "completed") return null;
      if (purchase.state === "cancelled")
        throw refuse(
          `Purchase ${purchase.id} was cancelled and its reservation released; it cannot be completed.`,
          "PurchaseCancelled",
        );
      if (ctx.now() >= purchase.expiresAt) {
        releaseReservation(ctx, purchase);
        return purchase;
      }
      convertToRegistrations(ctx, purchase);
      return null;
    });
    if (expired) {
      throw refuse(
        `The payment timeout of purchase ${expired.id} passed at ${new Date(expired.expiresAt).toISOString()}; its reservation was released.`,
        "PurchaseExpired",
      );
    }
    return null;
  },
};

/** The actions present right now, by exact (case-sensitive) name; knobs decide which exist. */
export function presentActions(ctx: StandInContext): Map<string, ActionDefinition> {
  const list = [
    getPurchaseDetails,
    finalizeExternal(ctx.knobs.finalizeActionPrefix),
    finalizeRegistrationPayment,
  ];
  if (ctx.knobs.listDetailedPurchaseInfo) list.push(listDetailedPurchaseInfo);
  return new Map(list.map((a) => [a.name, a]));
}

/** Checks the JSON body against the declared parameters the way the OData layer does. */
export function checkParameters(action: ActionDefinition, body: Record<string, unknown>): void {
  for (const key of Object.keys(body)) {
    if (key.startsWith("@")) continue;
    if (!action.parameters.some((p) => p.name === key)) {
      throw new DataverseFault(
        400,
        ErrorCodes.querySyntax,
        `The parameter '${key}' in the request payload is not a valid parameter for the operation '${action.name}'.`,
      );
    }
  }
  for (const p of action.parameters) {
    const value = body[p.name];
    if (value === undefined || value === null) {
      if (p.optional) continue;
      throw new DataverseFault(
        400,
        ErrorCodes.invalidArgument,
        `Required parameter '${p.name}' of ${action.name} is missing.`,
      );
    }
    const ok =
      p.type === "Edm.Int32" || p.type === "Edm.Decimal"
        ? typeof value === "number"
        : typeof value === "string";
    if (!ok) {
      throw new DataverseFault(
        400,
        ErrorCodes.querySyntax,
        `Cannot convert the value of parameter '${p.name}' of ${action.name} to ${p.type}: got ${JSON.stringify(value)}.`,
      );
    }
  }
}
