// How the stand-in models a purchase (msevtmgt_eventpurchase) beyond its public columns: the mode it
// was registered in, when it stops being finalizable, its lifecycle, and its attendees. These live in
// "__" fields of the row, which the Web API never shows.
import { normalizeGuid } from "../../common/guid";
import { DataverseFault, ErrorCodes } from "./errors";
import { createRecord, updateRecord } from "./records";
import type { StandInContext } from "./context";
import type { DataverseRecord } from "./record-store";

export type PurchaseMode = "outbound" | "rtm";
export type PurchaseState = "pending" | "completed" | "cancelled";

export interface PurchaseAttendee {
  attendeeId: string;
  purchaseContactId: string;
  purchasePassId: string | null;
  passId: string | null;
  firstName: string;
  lastName: string;
  email: string;
}

export interface PurchaseView {
  record: DataverseRecord;
  id: string;
  mode: PurchaseMode;
  state: PurchaseState;
  expiresAt: number;
  attendees: PurchaseAttendee[];
  event: DataverseRecord;
  currency: DataverseRecord | null;
}

/** The purchase, or a 400 naming the id when it is unknown (INFERRED: Dataverse's own text is unpublished). */
export function loadPurchase(ctx: StandInContext, purchaseId: unknown, parameter: string): PurchaseView {
  const id = typeof purchaseId === "string" ? normalizeGuid(purchaseId) : null;
  if (!id) {
    throw new DataverseFault(
      400,
      ErrorCodes.invalidArgument,
      `${parameter} '${String(purchaseId ?? "")}' is not a GUID: pass the purchase id the registration returned.`,
    );
  }
  const record = ctx.store.get("msevtmgt_eventpurchases", id);
  if (!record) {
    throw new DataverseFault(
      400,
      ErrorCodes.pluginRefused,
      `Purchase ${id} was not found. Check the id, or register again: the temporary registration may never have existed in this environment.`,
      {
        subErrorCode: "PurchaseNotFound",
      },
    );
  }
  const event = ctx.store.get("msevtmgt_events", String(record._msevtmgt_eventid_value ?? ""));
  if (!event)
    throw new DataverseFault(
      500,
      ErrorCodes.unexpected,
      `Purchase ${id} points at an event that does not exist.`,
    );
  const currencyId = record._transactioncurrencyid_value;
  const currency =
    typeof currencyId === "string" ? (ctx.store.get("transactioncurrencies", currencyId) ?? null) : null;
  return {
    record,
    id,
    mode: (record.__mode as PurchaseMode | undefined) ?? "outbound",
    state: (record.__state as PurchaseState | undefined) ?? "pending",
    expiresAt: Number(record.__expiresAt ?? Number.POSITIVE_INFINITY),
    attendees: (record.__attendees as PurchaseAttendee[] | undefined) ?? [],
    event,
    currency,
  };
}

/** Finds the contact with this e-mail, creating it the way event management does for a new attendee. */
export function ensureContact(
  ctx: StandInContext,
  person: { firstName: string; lastName: string; email: string },
): string {
  const known = ctx.store.indexGet("contact-email", person.email);
  if (known && ctx.store.get("contacts", known)) return known;
  const contact = createRecord(ctx, "contacts", {
    firstname: person.firstName,
    lastname: person.lastName,
    fullname: `${person.firstName} ${person.lastName}`.trim(),
    emailaddress1: person.email,
  });
  const id = String(contact.contactid);
  ctx.store.indexPut("contact-email", person.email, id);
  return id;
}

/**
 * Turns a pending purchase into one msevtmgt_eventregistration per attendee (plus an attendee pass
 * each), marks it paid and processed, and counts the passes sold. Call inside a store transaction.
 */
export function convertToRegistrations(ctx: StandInContext, purchase: PurchaseView): string[] {
  const eventId = String(purchase.event.msevtmgt_eventid);
  const registrationIds: string[] = [];
  for (const attendee of purchase.attendees) {
    const contactId = ensureContact(ctx, attendee);
    const registration = createRecord(ctx, "msevtmgt_eventregistrations", {
      msevtmgt_name: `${attendee.firstName} ${attendee.lastName}`.trim(),
      _msevtmgt_eventid_value: eventId,
      _msevtmgt_contactid_value: contactId,
      msevtmgt_createdfromapi: false,
      msevtmgt_registrationstatus: null,
    });
    const registrationId = String(registration.msevtmgt_eventregistrationid);
    registrationIds.push(registrationId);
    updateRecord(ctx, "msevtmgt_eventpurchaseattendees", attendee.attendeeId, {
      _msevtmgt_attendeecontactid_value: contactId,
      _msevtmgt_eventregistrationid_value: registrationId,
    });
    if (attendee.passId) {
      const pass = ctx.store.get("msevtmgt_passes", attendee.passId);
      const attendeePass = createRecord(ctx, "msevtmgt_attendeepasses", {
        msevtmgt_name: String(pass?.msevtmgt_name ?? ""),
        msevtmgt_passprice: pass?.msevtmgt_passprice ?? null,
        _msevtmgt_contact_value: contactId,
        _msevtmgt_eventid_value: eventId,
        _msevtmgt_eventregistrationid_value: registrationId,
        _msevtmgt_pass_value: attendee.passId,
        _msevtmgt_transactioncurrencyid_value: pass?._transactioncurrencyid_value ?? null,
      });
      if (attendee.purchasePassId) {
        updateRecord(ctx, "msevtmgt_eventpurchasepasses", attendee.purchasePassId, {
          _msevtmgt_attendeepassid_value: attendeePass.msevtmgt_attendeepassid,
        });
      }
      if (pass) {
        updateRecord(ctx, "msevtmgt_passes", attendee.passId, {
          msevtmgt_noofpassessold: Number(pass.msevtmgt_noofpassessold ?? 0) + 1,
        });
      }
    }
  }
  updateRecord(ctx, "msevtmgt_eventpurchases", purchase.id, {
    msevtmgt_paid: true,
    msevtmgt_processed: true,
    __state: "completed",
  });
  return registrationIds;
}

/** Gives the reserved passes back and closes the purchase (RTM Cancelled, or a timed-out reservation). */
export function releaseReservation(ctx: StandInContext, purchase: PurchaseView): void {
  for (const attendee of purchase.attendees) {
    if (!attendee.passId) continue;
    const pass = ctx.store.get("msevtmgt_passes", attendee.passId);
    if (pass) {
      updateRecord(ctx, "msevtmgt_passes", attendee.passId, {
        msevtmgt_noofpassesleft: Number(pass.msevtmgt_noofpassesleft ?? 0) + 1,
      });
    }
  }
  updateRecord(ctx, "msevtmgt_eventpurchases", purchase.id, {
    __state: "cancelled",
    statecode: 1,
    statuscode: 2,
  });
}
