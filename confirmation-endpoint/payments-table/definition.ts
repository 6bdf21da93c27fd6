// The payments table: its names (from a configurable publisher prefix), its status choice, and the
// metadata bodies the Dataverse Web API takes to create it (EntityDefinitions, Attributes,
// RelationshipDefinitions, Keys). One description, read by the create command, the endpoint's
// upsert and the Dataverse stand-in's tests, so none of them spells a column name twice.

/** The purchase table the lookup points at (spec §4, CONFIRMED). */
export const PURCHASE_TABLE = "msevtmgt_eventpurchase";
export const PURCHASE_SET = "msevtmgt_eventpurchases";

export const DEFAULT_PREFIX = "epgk";

/** The row's status: values of the table's own (local) choice, above the default option prefix. */
export const PAYMENT_STATUS = {
  paid: 100000000,
  finalized: 100000001,
  refund_pending: 100000002,
  refunded: 100000003,
  partially_refunded: 100000004,
  failed: 100000005,
} as const;
export type PaymentRowStatus = keyof typeof PAYMENT_STATUS;

const STATUS_LABELS: Record<PaymentRowStatus, string> = {
  paid: "Paid",
  finalized: "Finalized",
  refund_pending: "Refund pending",
  refunded: "Refunded",
  partially_refunded: "Partially refunded",
  failed: "Failed",
};

export interface PaymentsTableNames {
  prefix: string;
  /** Logical name of the table, e.g. epgk_payment. */
  table: string;
  schemaName: string;
  /** The entity set the create command expects; the upsert reads the real one from metadata. */
  expectedSet: string;
  /** Logical names of the columns. */
  columns: {
    name: string;
    providerPaymentId: string;
    provider: string;
    purchaseRef: string;
    readableEventId: string;
    contactId: string;
    amount: string;
    amountMinor: string;
    currency: string;
    status: string;
    refundedAmount: string;
    refundedMinor: string;
    checkoutStartedOn: string;
    statusChangedOn: string;
    deploymentId: string;
  };
  /** The lookup to the purchase: its logical name, and the navigation property an upsert binds. */
  purchaseLookup: string;
  purchaseNavigation: string;
  relationshipSchemaName: string;
  keySchemaName: string;
}

/** A prefix is what a publisher's customization prefix may be: 2 to 8 letters or digits, a letter first. */
export function checkPrefix(prefix: string): string | null {
  if (!/^[a-z][a-z0-9]{1,7}$/.test(prefix))
    return "must be a publisher customization prefix: 2 to 8 lower-case letters or digits, starting with a letter (e.g. epgk)";
  if (prefix === "mscrm") return 'must not be "mscrm" (reserved by Dataverse)';
  return null;
}

export function paymentsTableNames(prefix: string = DEFAULT_PREFIX): PaymentsTableNames {
  const p = prefix.toLowerCase();
  const col = (suffix: string) => `${p}_${suffix}`;
  return {
    prefix: p,
    table: col("payment"),
    schemaName: `${p}_Payment`,
    expectedSet: col("payments"),
    columns: {
      name: col("name"),
      providerPaymentId: col("providerpaymentid"),
      provider: col("provider"),
      purchaseRef: col("purchaseref"),
      readableEventId: col("readableeventid"),
      contactId: col("contactid"),
      amount: col("amount"),
      amountMinor: col("amountminor"),
      currency: col("currencycode"),
      status: col("status"),
      refundedAmount: col("refundedamount"),
      refundedMinor: col("refundedminor"),
      checkoutStartedOn: col("checkoutstartedon"),
      statusChangedOn: col("statuschangedon"),
      deploymentId: col("deploymentid"),
    },
    purchaseLookup: col("purchaseid"),
    purchaseNavigation: `${p}_PurchaseId`,
    relationshipSchemaName: `${p}_${PURCHASE_TABLE}_${p}_payment`,
    keySchemaName: `${p}_ProviderPaymentIdKey`,
  };
}

type Body = Record<string, unknown>;

const label = (text: string): Body => ({
  "@odata.type": "Microsoft.Dynamics.CRM.Label",
  LocalizedLabels: [
    { "@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", Label: text, LanguageCode: 1033 },
  ],
});
const required = (level: "None" | "ApplicationRequired") => ({
  Value: level,
  CanBeChanged: true,
  ManagedPropertyLogicalName: "canmodifyrequirementlevelsettings",
});

/** SchemaName from a logical name: the prefix kept, the rest capitalised (epgk_providerpaymentid → epgk_ProviderPaymentId). */
function schemaOf(logical: string, pretty: string): string {
  return `${logical.split("_")[0]}_${pretty}`;
}

function text(
  logical: string,
  pretty: string,
  display: string,
  maxLength: number,
  level: "None" | "ApplicationRequired" = "None",
): Body {
  return {
    "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata",
    AttributeType: "String",
    AttributeTypeName: { Value: "StringType" },
    SchemaName: schemaOf(logical, pretty),
    DisplayName: label(display),
    RequiredLevel: required(level),
    MaxLength: maxLength,
    FormatName: { Value: "Text" },
  };
}

function money(logical: string, pretty: string, display: string): Body {
  return {
    "@odata.type": "Microsoft.Dynamics.CRM.MoneyAttributeMetadata",
    AttributeType: "Money",
    AttributeTypeName: { Value: "MoneyType" },
    SchemaName: schemaOf(logical, pretty),
    DisplayName: label(display),
    RequiredLevel: required("None"),
    // 2: the precision of the row's own currency (transactioncurrency.currencyprecision).
    PrecisionSource: 2,
    MinValue: 0,
    MaxValue: 100000000000,
  };
}

function integer(logical: string, pretty: string, display: string): Body {
  return {
    "@odata.type": "Microsoft.Dynamics.CRM.IntegerAttributeMetadata",
    AttributeType: "Integer",
    AttributeTypeName: { Value: "IntegerType" },
    SchemaName: schemaOf(logical, pretty),
    DisplayName: label(display),
    RequiredLevel: required("None"),
    Format: "None",
    MinValue: 0,
    MaxValue: 2147483647,
  };
}

function dateTime(logical: string, pretty: string, display: string): Body {
  return {
    "@odata.type": "Microsoft.Dynamics.CRM.DateTimeAttributeMetadata",
    AttributeType: "DateTime",
    AttributeTypeName: { Value: "DateTimeType" },
    SchemaName: schemaOf(logical, pretty),
    DisplayName: label(display),
    RequiredLevel: required("None"),
    Format: "DateAndTime",
    DateTimeBehavior: { Value: "UserLocal" },
  };
}

function status(logical: string): Body {
  return {
    "@odata.type": "Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
    AttributeType: "Picklist",
    AttributeTypeName: { Value: "PicklistType" },
    SchemaName: schemaOf(logical, "Status"),
    DisplayName: label("Status"),
    RequiredLevel: required("None"),
    OptionSet: {
      "@odata.type": "Microsoft.Dynamics.CRM.OptionSetMetadata",
      IsGlobal: false,
      OptionSetType: "Picklist",
      Options: (Object.keys(PAYMENT_STATUS) as PaymentRowStatus[]).map((k) => ({
        Value: PAYMENT_STATUS[k],
        Label: label(STATUS_LABELS[k]),
      })),
    },
  };
}

/** The table with its primary name column (Dataverse wants that one inside the table's own POST). */
export function tableBody(names: PaymentsTableNames): Body {
  return {
    "@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata",
    SchemaName: names.schemaName,
    DisplayName: label("Event payment"),
    DisplayCollectionName: label("Event payments"),
    Description: label("One row per provider payment taken by the event payment gateway kit."),
    OwnershipType: "OrganizationOwned",
    IsActivity: false,
    HasActivities: false,
    HasNotes: false,
    Attributes: [
      { ...text(names.columns.name, "Name", "Name", 200, "ApplicationRequired"), IsPrimaryName: true },
    ],
  };
}

/** Every column but the primary name and the lookup, by logical name, in creation order. */
export function columnBodies(names: PaymentsTableNames): Array<{ logicalName: string; body: Body }> {
  const c = names.columns;
  const list: Array<[string, Body]> = [
    [
      c.providerPaymentId,
      text(c.providerPaymentId, "ProviderPaymentId", "Provider payment id", 100, "ApplicationRequired"),
    ],
    [c.provider, text(c.provider, "Provider", "Provider", 40)],
    [c.purchaseRef, text(c.purchaseRef, "PurchaseRef", "Purchase id (text)", 40)],
    [c.readableEventId, text(c.readableEventId, "ReadableEventId", "Event (readable id)", 200)],
    [c.contactId, text(c.contactId, "ContactId", "Contact id", 40)],
    [c.amount, money(c.amount, "Amount", "Amount")],
    [c.amountMinor, integer(c.amountMinor, "AmountMinor", "Amount (minor units)")],
    [c.currency, text(c.currency, "CurrencyCode", "Currency (ISO code)", 3)],
    [c.status, status(c.status)],
    [c.refundedAmount, money(c.refundedAmount, "RefundedAmount", "Refunded amount")],
    [c.refundedMinor, integer(c.refundedMinor, "RefundedMinor", "Refunded (minor units)")],
    [c.checkoutStartedOn, dateTime(c.checkoutStartedOn, "CheckoutStartedOn", "Checkout started on")],
    [c.statusChangedOn, dateTime(c.statusChangedOn, "StatusChangedOn", "Status changed on")],
    [c.deploymentId, text(c.deploymentId, "DeploymentId", "Deployment id", 40)],
  ];
  return list.map(([logicalName, body]) => ({ logicalName, body }));
}

/** The one-to-many relationship purchase → payments, which creates the lookup column on the payment. */
export function relationshipBody(names: PaymentsTableNames): Body {
  return {
    "@odata.type": "Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata",
    SchemaName: names.relationshipSchemaName,
    ReferencedEntity: PURCHASE_TABLE,
    ReferencedAttribute: `${PURCHASE_TABLE}id`,
    ReferencingEntity: names.table,
    // A deleted purchase leaves its payments in place (the money still moved): the lookup is cleared.
    CascadeConfiguration: {
      Assign: "NoCascade",
      Delete: "RemoveLink",
      Merge: "NoCascade",
      Reparent: "NoCascade",
      Share: "NoCascade",
      Unshare: "NoCascade",
    },
    Lookup: {
      "@odata.type": "Microsoft.Dynamics.CRM.LookupAttributeMetadata",
      AttributeType: "Lookup",
      AttributeTypeName: { Value: "LookupType" },
      SchemaName: names.purchaseNavigation,
      DisplayName: label("Event purchase"),
      RequiredLevel: required("None"),
    },
  };
}

/** The alternate key the upsert addresses rows by. */
export function keyBody(names: PaymentsTableNames): Body {
  return {
    "@odata.type": "Microsoft.Dynamics.CRM.EntityKeyMetadata",
    SchemaName: names.keySchemaName,
    DisplayName: label("Provider payment id"),
    KeyAttributes: [names.columns.providerPaymentId],
  };
}
