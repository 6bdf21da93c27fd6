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

interface Registration {
  request: RegistrationRequest;
  mode: PurchaseMode;
  event: DataverseRecord;
  eventId: string;
  rid: string;
  passes: DataverseRecord[];
  paid: boolean;
  userId: string | null;
}

const passOf = (passes: DataverseRecord[], passId: string | null | undefined) =>
  passes.find((p) => p.msevtmgt_passid === normalizeGuid(passId ?? ""));

/** Everything event management refuses before it writes anything. */
function checkRegistration(ctx: StandInContext, request: RegistrationRequest): Registration {
  const event = findEventByReadableId(ctx, request.readableEventId);
  if (!event)
    throw new DataverseFault(
      404,
      ErrorCodes.recordNotFound,
      `No event with readable id '${request.readableEventId}'.`,
    );
  const eventId = String(event.msevtmgt_eventid);
  if (!Array.isArray(request.attendees) || request.attendees.length === 0)
    throw invalid("Give at least one attendee.");
  const passes = ctx.store.list("msevtmgt_passes").filter((p) => p._msevtmgt_eventid_value === eventId);
  const paid = passes.length > 0;
  for (const [i, a] of request.attendees.entries()) {
    if (!a || typeof a.email !== "string" || !a.email.includes("@"))
      throw invalid(`Attendee ${i + 1} needs an e-mail address.`);
    if (paid && !passOf(passes, a.passId))
      throw invalid(
        `Attendee ${i + 1}: choose one of the event's passes (${passes.map((p) => p.msevtmgt_passid).join(", ")}).`,
      );
  }
  const userId = request.userId ? normalizeGuid(request.userId) : null;
  if (request.userId && (!userId || !ctx.store.get("contacts", userId)))
    throw invalid(`userId '${request.userId}' is not a known contact.`);
  const rid = String(event.msevtmgt_readableeventid);
  return { request, mode: request.mode ?? "outbound", event, eventId, rid, passes, paid, userId };
}

/** Takes one of each attendee's pass; answers the total and the currency (the event's unless a pass has one). */
function reservePasses(ctx: StandInContext, reg: Registration): { total: number; currencyId: unknown } {
  let total = 0;
  let currencyId: unknown = reg.event._transactioncurrencyid_value ?? null;
  for (const a of reg.request.attendees) {
    const pass = passOf(reg.passes, a.passId);
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
    updateRecord(ctx, "msevtmgt_passes", String(pass.msevtmgt_passid), { msevtmgt_noofpassesleft: left - 1 });
    pass.msevtmgt_noofpassesleft = left - 1;
  }
  return { total, currencyId };
}

/** When the purchase stops being finalizable, and the RTM payment provider record it is paid through. */
function purchaseDeadline(
  ctx: StandInContext,
  reg: Registration,
  created: number,
): { expiresAt: number; provider?: DataverseRecord } {
  if (reg.mode !== "rtm") return { expiresAt: created + ctx.knobs.purchaseLifetimeMs };
  const providerId = reg.event[lookupValueName(ctx.names.eventPaymentProviderLookup)];
  const provider =
    typeof providerId === "string" ? ctx.store.get("msevtmgt_paymentproviders", providerId) : undefined;
  if (reg.paid && !provider)
    throw invalid(`Event '${reg.rid}' has no payment provider: set one on its Passes tab.`);
  const minutes = Number(provider?.[ctx.names.providerTimeoutMinutes] ?? ctx.knobs.defaultRtmTimeoutMinutes);
  return { expiresAt: created + minutes * 60_000, provider };
}

/** The purchase's contact, attendee and pass rows, one set per attendee. */
function createAttendees(ctx: StandInContext, reg: Registration, purchaseId: string): PurchaseAttendee[] {
  return reg.request.attendees.map((a) => {
    const firstName = a.firstName ?? "";
    const lastName = a.lastName ?? "";
    const name = `${firstName} ${lastName}`.trim();
    const contact = createRecord(ctx, "msevtmgt_eventpurchasecontacts", {
      msevtmgt_firstname: firstName,
      msevtmgt_lastname: lastName,
      msevtmgt_fullname: name,
      msevtmgt_emailaddress1: a.email,
    });
    const attendee = createRecord(ctx, "msevtmgt_eventpurchaseattendees", {
      msevtmgt_name: name,
      _msevtmgt_purchaseid_value: purchaseId,
      _msevtmgt_eventpurchasecontactid_value: contact.msevtmgt_eventpurchasecontactid,
    });
    const passId = normalizeGuid(a.passId ?? "");
    const purchasePass = passId
      ? createRecord(ctx, "msevtmgt_eventpurchasepasses", {
          msevtmgt_name: name,
          _msevtmgt_attendeeid_value: attendee.msevtmgt_eventpurchaseattendeeid,
          _msevtmgt_passid_value: passId,
        })
      : null;
    return {
      attendeeId: String(attendee.msevtmgt_eventpurchaseattendeeid),
      purchaseContactId: String(contact.msevtmgt_eventpurchasecontactid),
      purchasePassId: purchasePass ? String(purchasePass.msevtmgt_eventpurchasepassid) : null,
      passId: reg.paid ? passId : null,
      firstName,
      lastName,
      email: a.email,
    };
  });
}

/** Where the site sends the browser next: the RTM payment page, the gateway, or the demo payment page. */
function paidAnswer(
  ctx: StandInContext,
  reg: Registration,
  purchase: { purchaseId: string; expiresAt: number; currencyId: unknown; provider?: DataverseRecord },
): RegistrationResult {
  const { purchaseId, expiresAt } = purchase;
  const rid = encodeURIComponent(reg.rid);
  if (reg.mode === "rtm") {
    const page = String(purchase.provider?.[ctx.names.providerPaymentPageUrl] ?? "");
    const returnUrl = reg.request.returnUrl ?? `${ctx.knobs.portalUrl}/event/confirmation?id=${rid}`;
    const redirectUrl = `${page}purchaseId=${purchaseId}&returnUrl=${encodeURIComponent(returnUrl)}`;
    return { status: "Redirect", purchaseId, redirectUrl, expiresAt };
  }
  const gateway = gatewayUrl(ctx, reg.event);
  if (gateway)
    return {
      status: "Redirect",
      purchaseId,
      redirectUrl: `${gateway}?id=${rid}&purchaseId=${purchaseId}`,
      expiresAt,
    };
  const currency =
    typeof purchase.currencyId === "string"
      ? ctx.store.get("transactioncurrencies", purchase.currencyId)
      : undefined;
  const symbol = encodeURIComponent(String(currency?.currencysymbol ?? ""));
  return {
    status: "Initiated",
    purchaseId,
    redirectUrl: `${ctx.knobs.portalUrl}/event/payment?id=${rid}&currencySymbol=${symbol}&purchaseId=${purchaseId}`,
    expiresAt,
  };
}

function createPurchase(ctx: StandInContext, reg: Registration): RegistrationResult {
  const first = reg.request.attendees[0];
  const purchasingContact =
    reg.userId ??
    (first
      ? ensureContact(ctx, {
          firstName: first.firstName ?? "",
          lastName: first.lastName ?? "",
          email: first.email,
        })
      : null);
  const { total, currencyId } = reservePasses(ctx, reg);
  const { expiresAt, provider } = purchaseDeadline(ctx, reg, ctx.now());
  const purchase = createRecord(ctx, "msevtmgt_eventpurchases", {
    msevtmgt_name: `${String(reg.event.msevtmgt_name ?? reg.rid)} purchase`,
    _msevtmgt_eventid_value: reg.eventId,
    _msevtmgt_purchasingcontactid_value: purchasingContact,
    _transactioncurrencyid_value: currencyId,
    msevtmgt_totalprice: Math.round(total * 10000) / 10000,
    msevtmgt_paid: false,
    msevtmgt_processed: false,
    __mode: reg.mode,
    __state: "pending",
    __expiresAt: expiresAt,
  });
  const purchaseId = String(purchase.msevtmgt_eventpurchaseid);
  updateRecord(ctx, "msevtmgt_eventpurchases", purchaseId, {
    __attendees: createAttendees(ctx, reg, purchaseId),
  });
  if (reg.paid) return paidAnswer(ctx, reg, { purchaseId, expiresAt, currencyId, provider });
  convertToRegistrations(ctx, loadPurchase(ctx, purchaseId, "purchaseId"));
  return {
    status: "Success",
    purchaseId,
    redirectUrl: `${ctx.knobs.portalUrl}/event/confirmation?id=${encodeURIComponent(reg.rid)}`,
    expiresAt: null,
  };
}

export function registerPurchase(ctx: StandInContext, request: RegistrationRequest): RegistrationResult {
  const registration = checkRegistration(ctx, request);
  return ctx.store.transaction(() => createPurchase(ctx, registration));
}
