// Where the event site's pages get their data: events, passes and registrations, and the
// registration submit. The real Event Portal asks event management; the sandbox asks the Dataverse
// stand-in (in-process), so the purchase it creates is the very row the confirmation endpoint reads.
import { KitError } from "../../common/kit-error";
import type { DataverseStandIn } from "../dataverse/start-dataverse-stand-in";
import { DataverseFault } from "../dataverse/errors";

export interface EventSitePass {
  id: string;
  name: string;
  price: number;
}

export interface EventSiteEvent {
  eventId: string;
  readableEventId: string;
  name: string;
  startDate: string | null;
  /** ISO 4217 code and symbol of the event's currency, when it has one. */
  currency: { iso: string; symbol: string } | null;
  /** An event with at least one pass is a paid event (the portal's isPaidEvent()). */
  passes: EventSitePass[];
}

export interface EventSiteRegistration {
  registrationId: string;
  name: string;
  email: string;
  passName: string | null;
  createdOn: string;
}

export interface EventSiteAttendee {
  firstName: string;
  lastName: string;
  email: string;
  passId: string | null;
}

export interface EventSiteRegisterAnswer {
  status: "Redirect" | "Initiated" | "Success";
  purchaseId: string | null;
  redirectUrl: string | null;
}

export interface EventSiteBackend {
  listEvents(): EventSiteEvent[];
  findEvent(readableEventId: string): EventSiteEvent | undefined;
  /** Creates the temporary registration (paid) or the registrations (free); throws EventSiteError when refused. */
  register(
    readableEventId: string,
    attendees: EventSiteAttendee[],
    userId: string | null,
  ): EventSiteRegisterAnswer;
  /** Registrations that exist for the event, oldest first. */
  registrations(readableEventId: string): EventSiteRegistration[];
  /** The registrations one purchase of the event made (its attendees only), oldest first. */
  purchaseRegistrations(readableEventId: string, purchaseId: string): EventSiteRegistration[];
}

export class EventSiteError extends KitError {
  override readonly name = "EventSiteError";
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.status = status;
    this.code = code;
  }
}

const text = (value: unknown): string =>
  typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);

type StandInState = DataverseStandIn["state"];

function toEvent(state: StandInState, row: Record<string, unknown>): EventSiteEvent {
  const eventId = text(row.msevtmgt_eventid);
  const currencyRow =
    typeof row._transactioncurrencyid_value === "string"
      ? state.get("transactioncurrencies", row._transactioncurrencyid_value)
      : undefined;
  const passes = state
    .list("msevtmgt_passes")
    .filter((p) => p._msevtmgt_eventid_value === eventId)
    .map((p) => ({
      id: text(p.msevtmgt_passid),
      name: text(p.msevtmgt_name),
      price: Number(p.msevtmgt_passprice ?? 0),
    }))
    .sort((a, b) => b.price - a.price || a.name.localeCompare(b.name));
  return {
    eventId,
    readableEventId: text(row.msevtmgt_readableeventid),
    name: text(row.msevtmgt_name) || text(row.msevtmgt_readableeventid),
    startDate: typeof row.msevtmgt_eventstartdate === "string" ? row.msevtmgt_eventstartdate : null,
    currency: currencyRow
      ? { iso: text(currencyRow.isocurrencycode).toUpperCase(), symbol: text(currencyRow.currencysymbol) }
      : null,
    passes,
  };
}

function findRow(state: StandInState, readableEventId: string): Record<string, unknown> | undefined {
  const wanted = readableEventId.toLowerCase();
  return state.list("msevtmgt_events").find((e) => text(e.msevtmgt_readableeventid).toLowerCase() === wanted);
}

/** The event's registrations, oldest first, with the attendee's name, e-mail and pass. */
function registrationsOf(state: StandInState, readableEventId: string): EventSiteRegistration[] {
  const row = findRow(state, readableEventId);
  if (!row) return [];
  const eventId = text(row.msevtmgt_eventid);
  const attendeePasses = state.list("msevtmgt_attendeepasses");
  return state
    .list("msevtmgt_eventregistrations")
    .filter((r) => r._msevtmgt_eventid_value === eventId)
    .map((r) => {
      const registrationId = text(r.msevtmgt_eventregistrationid);
      const contact =
        typeof r._msevtmgt_contactid_value === "string"
          ? state.get("contacts", r._msevtmgt_contactid_value)
          : undefined;
      const pass = attendeePasses.find((p) => p._msevtmgt_eventregistrationid_value === registrationId);
      return {
        registrationId,
        name: text(contact?.fullname) || text(r.msevtmgt_name),
        email: text(contact?.emailaddress1),
        passName: pass ? text(pass.msevtmgt_name) : null,
        createdOn: text(r.createdon),
      };
    })
    .sort((a, b) => a.createdOn.localeCompare(b.createdOn));
}

/** The event site's data, read from (and written to) a running Dataverse stand-in. */
export function createStandInBackend(
  dataverse: Pick<DataverseStandIn, "state" | "register">,
): EventSiteBackend {
  const { state } = dataverse;
  return {
    listEvents: () =>
      state
        .list("msevtmgt_events")
        .map((row) => toEvent(state, row))
        .sort((a, b) => a.name.localeCompare(b.name)),
    findEvent(readableEventId) {
      const row = findRow(state, readableEventId);
      return row ? toEvent(state, row) : undefined;
    },
    register(readableEventId, attendees, userId) {
      try {
        const result = dataverse.register({ readableEventId, attendees, userId, mode: "outbound" });
        return { status: result.status, purchaseId: result.purchaseId, redirectUrl: result.redirectUrl };
      } catch (error) {
        if (!(error instanceof DataverseFault)) throw error;
        const status = error.status >= 500 ? 502 : 400;
        throw new EventSiteError(status, error.code || "REGISTRATION_REFUSED", error.message, {
          cause: error,
        });
      }
    },
    registrations: (readableEventId) => registrationsOf(state, readableEventId),
    purchaseRegistrations(readableEventId, purchaseId) {
      const wanted = purchaseId.toLowerCase();
      const ids = new Set(
        state
          .list("msevtmgt_eventpurchaseattendees")
          .filter((a) => text(a._msevtmgt_purchaseid_value).toLowerCase() === wanted)
          .map((a) => text(a._msevtmgt_eventregistrationid_value))
          .filter(Boolean),
      );
      return registrationsOf(state, readableEventId).filter((r) => ids.has(r.registrationId));
    },
  };
}
