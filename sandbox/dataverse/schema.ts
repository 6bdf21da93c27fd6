// The tables the stand-in knows, described once: the Web API routes validate $select/$filter/PATCH
// against it, and $metadata / EntityDefinitions are generated from it.
//
// Logical names of the event-management tables come from the spec (§4, CONFIRMED). Some columns the
// kit needs have no published name (the event's "Portal payment gateway" lookup, the Event
// administration's fields, the payment provider's columns): the stand-in invents names for those,
// keeps them in StandInNames, and lets a test or `npm start` rename them, so nothing in the kit can
// hard-code them without a test noticing.

export type AttributeType =
  | "Uniqueidentifier"
  | "String"
  | "Memo"
  | "Boolean"
  | "Money"
  | "Decimal"
  | "Integer"
  | "DateTime"
  | "Picklist"
  | "State"
  | "Status"
  | "Lookup";

export interface EntityDefinition {
  logicalName: string;
  setName: string;
  primaryId: string;
  primaryName: string;
  /** Plain columns by logical name (lookups are listed in `lookups`, not here). */
  attributes: Record<string, AttributeType>;
  /** Lookup columns by logical name → target tables. Stored and read as `_<name>_value`. */
  lookups: Record<string, string[]>;
  /** Extra navigation-property names (besides each lookup's own name) → the lookup they follow. */
  navigationAliases?: Record<string, string>;
  /** Alternate keys by schema name → their columns (custom-tables.ts: created through EntityDefinitions). */
  keys?: Record<string, string[]>;
  /** Created through the metadata API (custom-tables.ts) rather than shipped with the stand-in. */
  custom?: boolean;
  /** The values each local choice column accepts. */
  choices?: Record<string, number[]>;
}

/** Column names the public sources do not give (INFERRED, stand-in choices, renameable). */
export interface StandInNames {
  /** Lookup on msevtmgt_event pointing at the portal web page used as payment gateway. */
  eventGatewayLookup: string;
  /** The table that lookup targets: adx_webpage (standard data model) or mspp_webpage / powerpagecomponent (enhanced). */
  gatewayTarget: "adx_webpage" | "mspp_webpage" | "powerpagecomponent";
  /** Boolean on msevtmgt_event: registration per session (custom agenda), which disables payment. */
  eventSessionRegistration: string;
  /** Lookup on msevtmgt_event to the RTM payment provider chosen on the Passes tab. */
  eventPaymentProviderLookup: string;
  /** Boolean on msevtmgt_event: RTM "Enable payment gateway". */
  eventEnablePaymentGateway: string;
  /** Lookup on msevtmgt_eventadministration: default Portal payment gateway for new events. */
  adminDefaultGatewayLookup: string;
  /** Boolean on msevtmgt_eventadministration: "Enable demo payment confirmation". */
  adminDemoPayment: string;
  /** String on msevtmgt_paymentprovider: "Payment page URL" (ends with `?`). */
  providerPaymentPageUrl: string;
  /** Integer on msevtmgt_paymentprovider: "Payment timeout (minutes)". */
  providerTimeoutMinutes: string;
}

export const defaultNames: StandInNames = {
  eventGatewayLookup: "msevtmgt_portalpaymentgatewayid",
  gatewayTarget: "adx_webpage",
  eventSessionRegistration: "msevtmgt_enablesessionregistration",
  eventPaymentProviderLookup: "msevtmgt_paymentproviderid",
  eventEnablePaymentGateway: "msevtmgt_enablepaymentgateway",
  adminDefaultGatewayLookup: "msevtmgt_defaultportalpaymentgatewayid",
  adminDemoPayment: "msevtmgt_enabledemopaymentconfirmation",
  providerPaymentPageUrl: "msevtmgt_paymentpageurl",
  providerTimeoutMinutes: "msevtmgt_paymenttimeout",
};

const common: Record<string, AttributeType> = {
  createdon: "DateTime",
  modifiedon: "DateTime",
  statecode: "State",
  statuscode: "Status",
  versionnumber: "Integer",
};

export type Schema = Map<string, EntityDefinition>;

/** The web page table of each portal data model (enhanced: powerpagecomponent). */
function webPageTable(logicalName: string, setName: string): EntityDefinition {
  return {
    logicalName,
    setName,
    primaryId: `${logicalName}id`,
    primaryName: logicalName === "powerpagecomponent" ? "name" : `${logicalName.split("_")[0]}_name`,
    attributes:
      logicalName === "powerpagecomponent"
        ? { ...common, name: "String", powerpagecomponenttype: "Picklist", content: "Memo" }
        : {
            ...common,
            [`${logicalName.split("_")[0]}_name`]: "String",
            [`${logicalName.split("_")[0]}_partialurl`]: "String",
          },
    lookups: {},
  };
}

/** Events and their passes; the gateway and provider lookups take their names from `names`. */
function eventTables(names: StandInNames): EntityDefinition[] {
  return [
    {
      logicalName: "msevtmgt_event",
      setName: "msevtmgt_events",
      primaryId: "msevtmgt_eventid",
      primaryName: "msevtmgt_name",
      attributes: {
        ...common,
        msevtmgt_name: "String",
        msevtmgt_readableeventid: "String",
        msevtmgt_allowanonymousregistrations: "Boolean",
        msevtmgt_enablemultiattendeeregistration: "Boolean",
        msevtmgt_eventstartdate: "DateTime",
        [names.eventSessionRegistration]: "Boolean",
        [names.eventEnablePaymentGateway]: "Boolean",
      },
      lookups: {
        [names.eventGatewayLookup]: [names.gatewayTarget],
        [names.eventPaymentProviderLookup]: ["msevtmgt_paymentprovider"],
        transactioncurrencyid: ["transactioncurrency"],
        ownerid: ["systemuser", "team"],
      },
    },
    {
      logicalName: "msevtmgt_pass",
      setName: "msevtmgt_passes",
      primaryId: "msevtmgt_passid",
      primaryName: "msevtmgt_name",
      attributes: {
        ...common,
        msevtmgt_name: "String",
        msevtmgt_passprice: "Money",
        msevtmgt_noofpassesallocated: "Integer",
        msevtmgt_noofpassesleft: "Integer",
        msevtmgt_noofpassessold: "Integer",
      },
      lookups: { msevtmgt_eventid: ["msevtmgt_event"], transactioncurrencyid: ["transactioncurrency"] },
    },
  ];
}

/** A temporary registration (purchase) with its contacts and attendees. */
function purchaseTables(): EntityDefinition[] {
  return [
    {
      logicalName: "msevtmgt_eventpurchase",
      setName: "msevtmgt_eventpurchases",
      primaryId: "msevtmgt_eventpurchaseid",
      primaryName: "msevtmgt_name",
      attributes: {
        ...common,
        msevtmgt_name: "String",
        msevtmgt_paid: "Boolean",
        msevtmgt_processed: "Boolean",
        msevtmgt_totalprice: "Money",
      },
      lookups: {
        msevtmgt_eventid: ["msevtmgt_event"],
        msevtmgt_purchasingcontactid: ["contact"],
        transactioncurrencyid: ["transactioncurrency"],
      },
      navigationAliases: { TransactionCurrency_msevtmgt_eventpurchase: "transactioncurrencyid" },
    },
    {
      logicalName: "msevtmgt_eventpurchasecontact",
      setName: "msevtmgt_eventpurchasecontacts",
      primaryId: "msevtmgt_eventpurchasecontactid",
      primaryName: "msevtmgt_fullname",
      attributes: {
        ...common,
        msevtmgt_firstname: "String",
        msevtmgt_lastname: "String",
        msevtmgt_fullname: "String",
        msevtmgt_emailaddress1: "String",
      },
      lookups: {},
    },
    {
      logicalName: "msevtmgt_eventpurchaseattendee",
      setName: "msevtmgt_eventpurchaseattendees",
      primaryId: "msevtmgt_eventpurchaseattendeeid",
      primaryName: "msevtmgt_name",
      attributes: { ...common, msevtmgt_name: "String" },
      lookups: {
        msevtmgt_purchaseid: ["msevtmgt_eventpurchase"],
        msevtmgt_eventpurchasecontactid: ["msevtmgt_eventpurchasecontact"],
        msevtmgt_attendeecontactid: ["contact"],
        msevtmgt_eventregistrationid: ["msevtmgt_eventregistration"],
      },
    },
  ];
}

/** What a purchase's attendees become: purchase passes, attendee passes and registrations. */
function registrationTables(): EntityDefinition[] {
  return [
    {
      logicalName: "msevtmgt_eventpurchasepass",
      setName: "msevtmgt_eventpurchasepasses",
      primaryId: "msevtmgt_eventpurchasepassid",
      primaryName: "msevtmgt_name",
      attributes: { ...common, msevtmgt_name: "String" },
      lookups: {
        msevtmgt_attendeeid: ["msevtmgt_eventpurchaseattendee"],
        msevtmgt_passid: ["msevtmgt_pass"],
        msevtmgt_attendeepassid: ["msevtmgt_attendeepass"],
      },
    },
    {
      logicalName: "msevtmgt_attendeepass",
      setName: "msevtmgt_attendeepasses",
      primaryId: "msevtmgt_attendeepassid",
      primaryName: "msevtmgt_name",
      attributes: { ...common, msevtmgt_name: "String", msevtmgt_passprice: "Money" },
      lookups: {
        msevtmgt_contact: ["contact"],
        msevtmgt_eventid: ["msevtmgt_event"],
        msevtmgt_eventregistrationid: ["msevtmgt_eventregistration"],
        msevtmgt_pass: ["msevtmgt_pass"],
        msevtmgt_transactioncurrencyid: ["transactioncurrency"],
      },
    },
    {
      logicalName: "msevtmgt_eventregistration",
      setName: "msevtmgt_eventregistrations",
      primaryId: "msevtmgt_eventregistrationid",
      primaryName: "msevtmgt_name",
      attributes: {
        ...common,
        msevtmgt_name: "String",
        msevtmgt_registrationstatus: "Picklist",
        msevtmgt_createdfromapi: "Boolean",
      },
      lookups: { msevtmgt_eventid: ["msevtmgt_event"], msevtmgt_contactid: ["contact"] },
    },
  ];
}

/** Event administration (the default gateway, demo payment) and the RTM payment provider records. */
function settingTables(names: StandInNames): EntityDefinition[] {
  return [
    {
      logicalName: "msevtmgt_eventadministration",
      setName: "msevtmgt_eventadministrations",
      primaryId: "msevtmgt_eventadministrationid",
      primaryName: "msevtmgt_name",
      attributes: { ...common, msevtmgt_name: "String", [names.adminDemoPayment]: "Boolean" },
      lookups: { [names.adminDefaultGatewayLookup]: [names.gatewayTarget] },
    },
    {
      logicalName: "msevtmgt_paymentprovider",
      setName: "msevtmgt_paymentproviders",
      primaryId: "msevtmgt_paymentproviderid",
      primaryName: "msevtmgt_name",
      attributes: {
        ...common,
        msevtmgt_name: "String",
        [names.providerPaymentPageUrl]: "String",
        [names.providerTimeoutMinutes]: "Integer",
      },
      lookups: {},
    },
  ];
}

/** Contacts and currencies. */
function directoryTables(): EntityDefinition[] {
  return [
    {
      logicalName: "contact",
      setName: "contacts",
      primaryId: "contactid",
      primaryName: "fullname",
      attributes: {
        ...common,
        firstname: "String",
        lastname: "String",
        fullname: "String",
        emailaddress1: "String",
      },
      lookups: {},
    },
    {
      logicalName: "transactioncurrency",
      setName: "transactioncurrencies",
      primaryId: "transactioncurrencyid",
      primaryName: "currencyname",
      attributes: {
        ...common,
        currencyname: "String",
        isocurrencycode: "String",
        currencysymbol: "String",
        currencyprecision: "Integer",
      },
      lookups: {},
    },
  ];
}

/** Every table of the stand-in, keyed by entity set name. */
export function buildSchema(names: StandInNames): Schema {
  const list: EntityDefinition[] = [
    ...eventTables(names),
    ...purchaseTables(),
    ...registrationTables(),
    ...settingTables(names),
    ...directoryTables(),
    webPageTable("adx_webpage", "adx_webpages"),
    webPageTable("mspp_webpage", "mspp_webpages"),
    webPageTable("powerpagecomponent", "powerpagecomponents"),
  ];
  return new Map(list.map((e) => [e.setName, e]));
}

export function findByLogicalName(schema: Schema, logicalName: string): EntityDefinition | undefined {
  for (const e of schema.values()) if (e.logicalName === logicalName) return e;
  return undefined;
}

/** `_<lookup>_value`, the column a lookup is read and filtered by. */
export function lookupValueName(lookup: string): string {
  return `_${lookup}_value`;
}

/** Columns a caller may $select or $filter on: plain attributes, the primary id, and `_x_value` of each lookup. */
export function readableColumns(entity: EntityDefinition): Set<string> {
  const cols = new Set<string>([entity.primaryId, ...Object.keys(entity.attributes)]);
  for (const l of Object.keys(entity.lookups)) cols.add(lookupValueName(l));
  return cols;
}

/** Resolves a navigation-property name (the lookup's own name, any case, or an alias) to the lookup. */
export function resolveNavigation(entity: EntityDefinition, name: string): string | undefined {
  const alias = entity.navigationAliases?.[name];
  if (alias) return alias;
  const lower = name.toLowerCase();
  return Object.keys(entity.lookups).find((l) => l.toLowerCase() === lower);
}
