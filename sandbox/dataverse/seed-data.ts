// The sandbox's starting data: one paid event with two passes (40.00 EUR and 15.00 EUR), one free
// event, two contacts, the gateway web page, an Event administration row and an RTM payment provider.
// Ids are fixed so seeding twice (or after a restart on the same file) changes nothing, except the
// events' dates: they are set relative to the stand-in's clock (a month ahead) and moved forward again
// when a later run finds them in the past.
import { createRecord, updateRecord } from "./records";
import { lookupValueName } from "./schema";
import type { StandInContext } from "./context";

export interface SeedOptions {
  /** Partial URL of the gateway web page (default "payment-gateway"). */
  gatewayPartialUrl?: string;
  /** Point the paid event's gateway lookup at that page (default true). */
  assignGateway?: boolean;
  /** "Payment page URL" of the RTM payment provider; must end with "?" (default a placeholder on 127.0.0.1). */
  paymentPageUrl?: string;
  /** "Payment timeout (minutes)" of the RTM payment provider (default 15). */
  paymentTimeoutMinutes?: number;
  /** Passes allocated per pass type (default 500); benchmarks registering thousands raise it. */
  passCapacity?: number;
  /** Event administration's demo payment confirmation switch (default false). */
  demoPaymentConfirmation?: boolean;
}

export interface SeedResult {
  currencyId: string;
  paidEvent: {
    id: string;
    readableEventId: string;
    name: string;
    passes: Array<{ id: string; name: string; price: number }>;
  };
  freeEvent: { id: string; readableEventId: string; name: string };
  contacts: Array<{ id: string; email: string; firstName: string; lastName: string }>;
  gatewayWebPageId: string;
  eventAdministrationId: string;
  paymentProviderId: string;
}

const seedIds = {
  currency: "7a0f0c1e-0000-4000-8000-000000000978",
  paidEvent: "e1e1e1e1-0000-4000-8000-000000000001",
  freeEvent: "e1e1e1e1-0000-4000-8000-000000000002",
  fullPass: "9a550000-0000-4000-8000-000000000001",
  dayPass: "9a550000-0000-4000-8000-000000000002",
  contactAda: "c0c0c0c0-0000-4000-8000-000000000001",
  contactGrace: "c0c0c0c0-0000-4000-8000-000000000002",
  gatewayPage: "3eb00000-0000-4000-8000-000000000001",
  eventAdministration: "adad0000-0000-4000-8000-000000000001",
  paymentProvider: "9a9a0000-0000-4000-8000-000000000001",
} as const;

function upsert(ctx: StandInContext, setName: string, id: string, columns: Record<string, unknown>): void {
  if (ctx.store.get(setName, id)) return;
  const entity = ctx.schema.get(setName);
  if (!entity) throw new Error(`The stand-in has no table '${setName}'.`);
  createRecord(ctx, setName, { ...columns, [entity.primaryId]: id });
}

const SEED_CONTACTS = [
  { id: seedIds.contactAda, firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
  { id: seedIds.contactGrace, firstName: "Grace", lastName: "Hopper", email: "grace@example.com" },
];
const SEED_PASSES = [
  { id: seedIds.fullPass, name: "Full conference", price: 40 },
  { id: seedIds.dayPass, name: "Day ticket", price: 15 },
];

/** The gateway web page row in whichever portal data model the stand-in plays. */
function seedGatewayPage(ctx: StandInContext, partial: string): void {
  const target = ctx.names.gatewayTarget;
  const pageSet = {
    adx_webpage: "adx_webpages",
    mspp_webpage: "mspp_webpages",
    powerpagecomponent: "powerpagecomponents",
  }[target];
  const prefix = target.split("_")[0];
  const pageColumns =
    target === "powerpagecomponent"
      ? { name: partial, powerpagecomponenttype: 2 }
      : { [`${prefix}_name`]: "Payment gateway", [`${prefix}_partialurl`]: partial };
  upsert(ctx, pageSet, seedIds.gatewayPage, pageColumns);
}

const DAY_MS = 86_400_000;

/** The seeded events' start dates: `days` ahead of `now`, at a fixed UTC hour. */
export function seedEventDates(now: number): { paid: string; free: string } {
  const at = (days: number, hour: number): string => {
    const day = new Date(now + days * DAY_MS);
    day.setUTCHours(hour, 0, 0, 0);
    return day.toISOString().replace(".000Z", "Z");
  };
  return { paid: at(30, 9), free: at(31, 18) };
}

/** Moves a seeded event whose start date has passed to its date relative to now. */
function keepInFuture(ctx: StandInContext, id: string, date: string): void {
  const current = ctx.store.get("msevtmgt_events", id)?.["msevtmgt_eventstartdate"];
  if (typeof current === "string" && Date.parse(current) > ctx.now()) return;
  updateRecord(ctx, "msevtmgt_events", id, { msevtmgt_eventstartdate: date });
}

/** The paid event (with the gateway and the RTM provider) and the free one. */
function seedEvents(ctx: StandInContext, options: SeedOptions): void {
  const n = ctx.names;
  const dates = seedEventDates(ctx.now());
  const common = {
    msevtmgt_allowanonymousregistrations: true,
    msevtmgt_enablemultiattendeeregistration: true,
  };
  upsert(ctx, "msevtmgt_events", seedIds.paidEvent, {
    msevtmgt_name: "Sandbox Summit",
    msevtmgt_readableeventid: "Sandbox_Summit_2026",
    ...common,
    msevtmgt_eventstartdate: dates.paid,
    [n.eventSessionRegistration]: false,
    [n.eventEnablePaymentGateway]: true,
    [lookupValueName(n.eventGatewayLookup)]: options.assignGateway === false ? null : seedIds.gatewayPage,
    [lookupValueName(n.eventPaymentProviderLookup)]: seedIds.paymentProvider,
    _transactioncurrencyid_value: seedIds.currency,
  });
  upsert(ctx, "msevtmgt_events", seedIds.freeEvent, {
    msevtmgt_name: "Sandbox Meetup",
    msevtmgt_readableeventid: "Sandbox_Meetup_2026",
    ...common,
    msevtmgt_eventstartdate: dates.free,
    [n.eventSessionRegistration]: false,
    [n.eventEnablePaymentGateway]: false,
    [lookupValueName(n.eventGatewayLookup)]: null,
    [lookupValueName(n.eventPaymentProviderLookup)]: null,
    _transactioncurrencyid_value: seedIds.currency,
  });
  keepInFuture(ctx, seedIds.paidEvent, dates.paid);
  keepInFuture(ctx, seedIds.freeEvent, dates.free);
}

function seedPassesAndContacts(ctx: StandInContext, passCapacity: number): void {
  for (const p of SEED_PASSES) {
    upsert(ctx, "msevtmgt_passes", p.id, {
      msevtmgt_name: p.name,
      msevtmgt_passprice: p.price,
      msevtmgt_noofpassesallocated: passCapacity,
      msevtmgt_noofpassesleft: passCapacity,
      msevtmgt_noofpassessold: 0,
      _msevtmgt_eventid_value: seedIds.paidEvent,
      _transactioncurrencyid_value: seedIds.currency,
    });
  }
  for (const c of SEED_CONTACTS) {
    upsert(ctx, "contacts", c.id, {
      firstname: c.firstName,
      lastname: c.lastName,
      fullname: `${c.firstName} ${c.lastName}`,
      emailaddress1: c.email,
    });
    ctx.store.indexPut("contact-email", c.email, c.id);
  }
}

export function seedSandbox(ctx: StandInContext, options: SeedOptions = {}): SeedResult {
  const n = ctx.names;
  ctx.store.transaction(() => {
    upsert(ctx, "transactioncurrencies", seedIds.currency, {
      currencyname: "Euro",
      isocurrencycode: "EUR",
      currencysymbol: "€",
      currencyprecision: 2,
    });
    seedGatewayPage(ctx, options.gatewayPartialUrl ?? "payment-gateway");
    upsert(ctx, "msevtmgt_paymentproviders", seedIds.paymentProvider, {
      msevtmgt_name: "Sandbox provider",
      [n.providerPaymentPageUrl]: options.paymentPageUrl ?? "http://127.0.0.1:7071/v1/rtm/pay?",
      [n.providerTimeoutMinutes]: options.paymentTimeoutMinutes ?? 15,
    });
    seedEvents(ctx, options);
    seedPassesAndContacts(ctx, options.passCapacity ?? 500);
    upsert(ctx, "msevtmgt_eventadministrations", seedIds.eventAdministration, {
      msevtmgt_name: "Event administration",
      [n.adminDemoPayment]: options.demoPaymentConfirmation ?? false,
      [lookupValueName(n.adminDefaultGatewayLookup)]: null,
    });
  });
  return {
    currencyId: seedIds.currency,
    paidEvent: {
      id: seedIds.paidEvent,
      readableEventId: "Sandbox_Summit_2026",
      name: "Sandbox Summit",
      passes: SEED_PASSES.map((p) => ({ ...p })),
    },
    freeEvent: { id: seedIds.freeEvent, readableEventId: "Sandbox_Meetup_2026", name: "Sandbox Meetup" },
    contacts: SEED_CONTACTS.map(({ id, email, firstName, lastName }) => ({ id, email, firstName, lastName })),
    gatewayWebPageId: seedIds.gatewayPage,
    eventAdministrationId: seedIds.eventAdministration,
    paymentProviderId: seedIds.paymentProvider,
  };
}
