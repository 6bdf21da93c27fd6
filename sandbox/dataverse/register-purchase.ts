// What event management does when the event site submits a registration: for a paid event it
// creates a temporary registration (msevtmgt_eventpurchase with its contacts, attendees and passes),
// reserves the passes, starts the finalize clock, and tells the site where to send the browser;
// for a free event it registers at once.
//
// Outbound answers follow the sample event site's contract (spec §1 step 4): "Redirect" with the
// gateway page, "Initiated" with the demo payment page when no gateway is set, "Success" for free
// events. RTM answers `redirectUrl` = the payment provider's page URL + purchaseId + returnUrl.
import { normalizeGuid } from "../../common/guid";
import { DataverseFault, ErrorCodes } from "./errors";
import { createRecord, updateRecord } from "./records";
import {
  convertToRegistrations,
  ensureContact,
  loadPurchase,
  type PurchaseAttendee,
  type PurchaseMode,
} from "./purchase-model";
import { lookupValueName } from "./schema";
import type { StandInContext } from "./context";
import type { DataverseRecord } from "./record-store";

export interface RegistrationRequest {
  readableEventId: string;
  attendees: Array<{ firstName: string; lastName: string; email: string; passId?: string | null }>;
  /** Signed-in contact, if any. */
  userId?: string | null;
  mode?: PurchaseMode;
  /** RTM: where the provider page returns to (defaults to the portal's confirmation page). */
  returnUrl?: string;
}

export interface RegistrationResult {
  status: "Redirect" | "Initiated" | "Success";
  purchaseId: string | null;
  redirectUrl: string | null;
  /** When the purchase can no longer be finalized (epoch ms); null for free events. */
  expiresAt: number | null;
}

function invalid(message: string): DataverseFault {
  return new DataverseFault(400, ErrorCodes.invalidArgument, message);
}

function findEventByReadableId(ctx: StandInContext, readableEventId: string): DataverseRecord | undefined {
  const wanted = readableEventId.toLowerCase();
  return ctx.store
    .list("msevtmgt_events")
    .find((e) => String(e.msevtmgt_readableeventid ?? "").toLowerCase() === wanted);
}

function gatewayUrl(ctx: StandInContext, event: DataverseRecord): string | null {
  let pageId = event[lookupValueName(ctx.names.eventGatewayLookup)];
  if (typeof pageId !== "string") {
    const admin = ctx.store.list("msevtmgt_eventadministrations").find((a) => a.statecode === 0);
    pageId = admin?.[lookupValueName(ctx.names.adminDefaultGatewayLookup)];
  }
  if (typeof pageId !== "string") return null;
  const set = {
    adx_webpage: "adx_webpages",
    mspp_webpage: "mspp_webpages",
    powerpagecomponent: "powerpagecomponents",
  }[ctx.names.gatewayTarget];
  const page = ctx.store.get(set, pageId);
  const partial = page ? String(page.adx_partialurl ?? page.mspp_partialurl ?? page.name ?? "") : "";
  return partial ? `${ctx.knobs.portalUrl}/${partial}/` : null;
}

export function registerPurchase(ctx: StandInContext, request: RegistrationRequest): RegistrationResult {
  const mode = request.mode ?? "outbound";
  const event = findEventByReadableId(ctx, request.readableEventId);
  if (!event)
    throw new DataverseFault(
      404,
      ErrorCodes.recordNotFound,
      `No event with readable id '${request.readableEventId}'.`,
    );
  const eventId = String(event.msevtmgt_eventid);
  const rid = String(event.msevtmgt_readableeventid);
  if (!Array.isArray(request.attendees) || request.attendees.length === 0)
    throw invalid("Give at least one attendee.");
  const passes = ctx.store.list("msevtmgt_passes").filter((p) => p._msevtmgt_eventid_value === eventId);
  const paid = passes.length > 0;
  for (const [i, a] of request.attendees.entries()) {
    if (!a || typeof a.email !== "string" || !a.email.includes("@"))
      throw invalid(`Attendee ${i + 1} needs an e-mail address.`);
    if (paid) {
      const pass = passes.find((p) => p.msevtmgt_passid === normalizeGuid(a.passId ?? ""));
      if (!pass)
        throw invalid(
          `Attendee ${i + 1}: choose one of the event's passes (${passes.map((p) => p.msevtmgt_passid).join(", ")}).`,
        );
    }
  }
  const userId = request.userId ? normalizeGuid(request.userId) : null;
  if (request.userId && (!userId || !ctx.store.get("contacts", userId)))
    throw invalid(`userId '${request.userId}' is not a known contact.`);

  return ctx.store.transaction(() => {
    const first = request.attendees[0];
    const purchasingContact =
      userId ??
      (first
        ? ensureContact(ctx, {
            firstName: first.firstName ?? "",
            lastName: first.lastName ?? "",
            email: first.email,
          })
        : null);
    let total = 0;
    let currencyId: unknown = event._transactioncurrencyid_value ?? null;
    for (const a of request.attendees) {
      const pass = passes.find((p) => p.msevtmgt_passid === normalizeGuid(a.passId ?? ""));
      if (!pass) continue;
      const left = Number(pass.msevtmgt_noofpassesleft ?? Number.POSITIVE_INFINITY);
      if (left <= 0)
        throw new DataverseFault(
          400,
          ErrorCodes.pluginRefused,
          `Pass '${String(pass.msevtmgt_name)}' is sold out.`,
        );
      total += Number(pass.msevtmgt_passprice ?? 0);
      currencyId = pass._transactioncurrencyid_value ?? currencyId;
      updateRecord(ctx, "msevtmgt_passes", String(pass.msevtmgt_passid), {
        msevtmgt_noofpassesleft: left - 1,
      });
      pass.msevtmgt_noofpassesleft = left - 1;
    }
    const created = ctx.now();
    let expiresAt = created + ctx.knobs.purchaseLifetimeMs;
    let provider: DataverseRecord | undefined;
    if (mode === "rtm") {
      const providerId = event[lookupValueName(ctx.names.eventPaymentProviderLookup)];
      provider =
        typeof providerId === "string" ? ctx.store.get("msevtmgt_paymentproviders", providerId) : undefined;
      if (paid && !provider)
        throw invalid(`Event '${rid}' has no payment provider: set one on its Passes tab.`);
      const minutes = Number(
        provider?.[ctx.names.providerTimeoutMinutes] ?? ctx.knobs.defaultRtmTimeoutMinutes,
      );
      expiresAt = created + minutes * 60_000;
    }
    const purchase = createRecord(ctx, "msevtmgt_eventpurchases", {
      msevtmgt_name: `${String(event.msevtmgt_name ?? rid)} purchase`,
      _msevtmgt_eventid_value: eventId,
      _msevtmgt_purchasingcontactid_value: purchasingContact,
      _transactioncurrencyid_value: currencyId,
      msevtmgt_totalprice: Math.round(total * 10000) / 10000,
      msevtmgt_paid: false,
      msevtmgt_processed: false,
      __mode: mode,
      __state: "pending",
      __expiresAt: expiresAt,
    });
    const purchaseId = String(purchase.msevtmgt_eventpurchaseid);
    const attendees: PurchaseAttendee[] = request.attendees.map((a) => {
      const firstName = a.firstName ?? "";
      const lastName = a.lastName ?? "";
      const contact = createRecord(ctx, "msevtmgt_eventpurchasecontacts", {
        msevtmgt_firstname: firstName,
        msevtmgt_lastname: lastName,
        msevtmgt_fullname: `${firstName} ${lastName}`.trim(),
        msevtmgt_emailaddress1: a.email,
      });
      const attendee = createRecord(ctx, "msevtmgt_eventpurchaseattendees", {
        msevtmgt_name: `${firstName} ${lastName}`.trim(),
        _msevtmgt_purchaseid_value: purchaseId,
        _msevtmgt_eventpurchasecontactid_value: contact.msevtmgt_eventpurchasecontactid,
      });
      const passId = normalizeGuid(a.passId ?? "");
      const purchasePass = passId
        ? createRecord(ctx, "msevtmgt_eventpurchasepasses", {
            msevtmgt_name: `${firstName} ${lastName}`.trim(),
            _msevtmgt_attendeeid_value: attendee.msevtmgt_eventpurchaseattendeeid,
            _msevtmgt_passid_value: passId,
          })
        : null;
      return {
        attendeeId: String(attendee.msevtmgt_eventpurchaseattendeeid),
        purchaseContactId: String(contact.msevtmgt_eventpurchasecontactid),
        purchasePassId: purchasePass ? String(purchasePass.msevtmgt_eventpurchasepassid) : null,
        passId: paid ? passId : null,
        firstName,
        lastName,
        email: a.email,
      };
    });
    updateRecord(ctx, "msevtmgt_eventpurchases", purchaseId, { __attendees: attendees });

    if (!paid) {
      convertToRegistrations(ctx, loadPurchase(ctx, purchaseId, "purchaseId"));
      return {
        status: "Success",
        purchaseId,
        redirectUrl: `${ctx.knobs.portalUrl}/event/confirmation?id=${encodeURIComponent(rid)}`,
        expiresAt: null,
      };
    }
    if (mode === "rtm") {
      const page = String(provider?.[ctx.names.providerPaymentPageUrl] ?? "");
      const returnUrl =
        request.returnUrl ?? `${ctx.knobs.portalUrl}/event/confirmation?id=${encodeURIComponent(rid)}`;
      return {
        status: "Redirect",
        purchaseId,
        redirectUrl: `${page}purchaseId=${purchaseId}&returnUrl=${encodeURIComponent(returnUrl)}`,
        expiresAt,
      };
    }
    const gateway = gatewayUrl(ctx, event);
    if (!gateway) {
      const currency =
        typeof currencyId === "string" ? ctx.store.get("transactioncurrencies", currencyId) : undefined;
      const symbol = encodeURIComponent(String(currency?.currencysymbol ?? ""));
      return {
        status: "Initiated",
        purchaseId,
        redirectUrl: `${ctx.knobs.portalUrl}/event/payment?id=${encodeURIComponent(rid)}&currencySymbol=${symbol}&purchaseId=${purchaseId}`,
        expiresAt,
      };
    }
    return {
      status: "Redirect",
      purchaseId,
      redirectUrl: `${gateway}?id=${encodeURIComponent(rid)}&purchaseId=${purchaseId}`,
      expiresAt,
    };
  });
}
