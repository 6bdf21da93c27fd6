// Tables an application user creates through the metadata Web API, as a real org learns them:
// POST EntityDefinitions (the table and its primary name column), POST …/Attributes (a column),
// POST RelationshipDefinitions (a one-to-many relationship, which adds the lookup), POST …/Keys (an
// alternate key). Definitions are kept in the record store's settings, so a stand-in started on the
// same file knows them again. The Web API then serves the table's rows like any other, including
// upsert and read by alternate key (web-api.ts).

import { DataverseFault, ErrorCodes, badRequest } from "./errors";
import type { StandInContext } from "./context";
import { findByLogicalName, type AttributeType, type EntityDefinition } from "./schema";

const SETTING_PREFIX = "custom-table:";
const INDEX_SETTING = "custom-tables";

const ATTRIBUTE_TYPES: Record<string, AttributeType> = {
  StringAttributeMetadata: "String",
  MemoAttributeMetadata: "Memo",
  MoneyAttributeMetadata: "Money",
  IntegerAttributeMetadata: "Integer",
  DecimalAttributeMetadata: "Decimal",
  BooleanAttributeMetadata: "Boolean",
  DateTimeAttributeMetadata: "DateTime",
  PicklistAttributeMetadata: "Picklist",
};

type Body = Record<string, unknown>;

function asBody(value: unknown, what: string): Body {
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw badRequest(`The body of ${what} must be a JSON object.`, ErrorCodes.invalidArgument);
  return value as Body;
}

function schemaNameOf(body: Body, what: string): string {
  const name = body.SchemaName;
  if (typeof name !== "string" || !/^[A-Za-z][A-Za-z0-9]{1,7}_[A-Za-z0-9_]+$/.test(name))
    throw badRequest(
      `${what} needs a SchemaName with a publisher prefix, e.g. new_Payment; got ${JSON.stringify(name)}.`,
      ErrorCodes.invalidArgument,
    );
  return name;
}

function typeOf(body: Body): AttributeType {
  const odataType = String(body["@odata.type"] ?? "").replace(/^#?Microsoft\.Dynamics\.CRM\./, "");
  const type = ATTRIBUTE_TYPES[odataType];
  if (!type)
    throw badRequest(
      `The stand-in creates columns of these types only: ${Object.keys(ATTRIBUTE_TYPES).join(", ")}; got "${odataType}".`,
      ErrorCodes.invalidArgument,
    );
  return type;
}

function savedNames(ctx: StandInContext): string[] {
  return JSON.parse(ctx.store.getSetting(INDEX_SETTING) ?? "[]") as string[];
}

function save(ctx: StandInContext, entity: EntityDefinition): void {
  ctx.schema.set(entity.setName, entity);
  ctx.store.setSetting(`${SETTING_PREFIX}${entity.logicalName}`, JSON.stringify(entity));
  const names = savedNames(ctx);
  if (!names.includes(entity.logicalName))
    ctx.store.setSetting(INDEX_SETTING, JSON.stringify([...names, entity.logicalName]));
}

function customEntity(ctx: StandInContext, logicalName: string): EntityDefinition {
  const entity = findByLogicalName(ctx.schema, logicalName.toLowerCase());
  if (!entity) throw badRequest(`Could not find an entity with the logical name '${logicalName}'.`);
  if (!entity.custom)
    throw new DataverseFault(
      403,
      ErrorCodes.missingPrivilege,
      `The stand-in changes only tables created through its metadata API, not ${entity.logicalName}.`,
    );
  return entity;
}

function duplicate(what: string): DataverseFault {
  return new DataverseFault(412, ErrorCodes.duplicateRecord, `${what} already exists.`);
}

/** Adds the column to the table; a money column brings the currency lookup and exchange rate, as in Dataverse. */
function addColumn(entity: EntityDefinition, body: Body): string {
  const logical = schemaNameOf(body, "A column").toLowerCase();
  if (entity.attributes[logical] || entity.lookups[logical] || logical === entity.primaryId)
    throw duplicate(`A column named ${logical} on ${entity.logicalName}`);
  const type = typeOf(body);
  entity.attributes[logical] = type;
  if (type === "Money" && !entity.lookups.transactioncurrencyid) {
    entity.lookups.transactioncurrencyid = ["transactioncurrency"];
    entity.attributes.exchangerate = "Decimal";
  }
  if (type === "Picklist") {
    const options = ((body.OptionSet as Body | undefined)?.Options ?? []) as Array<{ Value?: unknown }>;
    entity.choices = { ...entity.choices, [logical]: options.map((o) => Number(o.Value)) };
  }
  return logical;
}

export function createTable(ctx: StandInContext, raw: unknown): EntityDefinition {
  const body = asBody(raw, "EntityDefinitions");
  const logicalName = schemaNameOf(body, "A table").toLowerCase();
  if (findByLogicalName(ctx.schema, logicalName)) throw duplicate(`A table named ${logicalName}`);
  const attributes = Array.isArray(body.Attributes) ? (body.Attributes as Body[]) : [];
  const primary = attributes.filter((a) => a.IsPrimaryName === true);
  if (primary.length !== 1 || typeOf(primary[0]!) !== "String")
    throw badRequest(
      "A new table needs exactly one String column with IsPrimaryName true in Attributes.",
      ErrorCodes.invalidArgument,
    );
  const entity: EntityDefinition = {
    logicalName,
    setName: `${logicalName}${/(s|x|z|ch|sh)$/.test(logicalName) ? "es" : "s"}`,
    primaryId: `${logicalName}id`,
    primaryName: schemaNameOf(primary[0]!, "The primary name column").toLowerCase(),
    attributes: {
      createdon: "DateTime",
      modifiedon: "DateTime",
      statecode: "State",
      statuscode: "Status",
      versionnumber: "Integer",
    },
    lookups: {},
    keys: {},
    custom: true,
  };
  for (const a of attributes) addColumn(entity, a);
  save(ctx, entity);
  return entity;
}

export function createColumn(ctx: StandInContext, tableLogicalName: string, raw: unknown): string {
  const entity = customEntity(ctx, tableLogicalName);
  const logical = addColumn(entity, asBody(raw, "Attributes"));
  save(ctx, entity);
  return logical;
}

export function createRelationship(ctx: StandInContext, raw: unknown): string {
  const body = asBody(raw, "RelationshipDefinitions");
  const type = String(body["@odata.type"] ?? "").replace(/^#?Microsoft\.Dynamics\.CRM\./, "");
  if (type !== "OneToManyRelationshipMetadata")
    throw badRequest("The stand-in creates one-to-many relationships only.", ErrorCodes.invalidArgument);
  schemaNameOf(body, "A relationship");
  const referenced = findByLogicalName(ctx.schema, String(body.ReferencedEntity ?? ""));
  if (!referenced)
    throw badRequest(`Could not find the referenced entity '${String(body.ReferencedEntity)}'.`);
  const entity = customEntity(ctx, String(body.ReferencingEntity ?? ""));
  const lookup = asBody(body.Lookup, "the relationship's Lookup");
  const logical = schemaNameOf(lookup, "The lookup column").toLowerCase();
  if (entity.lookups[logical] || entity.attributes[logical])
    throw duplicate(`A column named ${logical} on ${entity.logicalName}`);
  entity.lookups[logical] = [referenced.logicalName];
  save(ctx, entity);
  return logical;
}

export function createKey(ctx: StandInContext, tableLogicalName: string, raw: unknown): string {
  const entity = customEntity(ctx, tableLogicalName);
  const body = asBody(raw, "Keys");
  const name = schemaNameOf(body, "An alternate key");
  const columns = Array.isArray(body.KeyAttributes) ? body.KeyAttributes.map(String) : [];
  if (columns.length === 0 || columns.some((c) => !entity.attributes[c]))
    throw badRequest(
      `KeyAttributes must list columns of ${entity.logicalName}; got ${JSON.stringify(body.KeyAttributes)}.`,
      ErrorCodes.invalidArgument,
    );
  if (Object.values(entity.keys ?? {}).some((k) => k.join(",") === columns.join(",")))
    throw duplicate(`An alternate key on ${columns.join(", ")}`);
  entity.keys = { ...entity.keys, [name]: columns };
  save(ctx, entity);
  return name;
}

/** The tables created on this store before (the stand-in restarted on the same file). */
export function restoreCustomTables(ctx: StandInContext): void {
  for (const name of savedNames(ctx)) {
    const text = ctx.store.getSetting(`${SETTING_PREFIX}${name}`);
    if (!text) continue;
    const entity = JSON.parse(text) as EntityDefinition;
    ctx.schema.set(entity.setName, entity);
  }
}

/** The row an alternate key names, as `name='value'[,name='value']`; undefined when no row matches. */
export function parseAlternateKey(entity: EntityDefinition, text: string): Record<string, string> | null {
  const parts = text.split(",").map((p) => /^\s*([A-Za-z0-9_]+)\s*=\s*'((?:[^']|'')*)'\s*$/.exec(p));
  if (parts.length === 0 || parts.some((m) => !m)) return null;
  const values: Record<string, string> = {};
  for (const m of parts) values[m![1]!.toLowerCase()] = m![2]!.replace(/''/g, "'");
  const names = Object.keys(values).sort().join(",");
  const match = Object.values(entity.keys ?? {}).some((cols) => [...cols].sort().join(",") === names);
  if (!match)
    throw badRequest(
      `${entity.logicalName} has no alternate key on ${Object.keys(values).join(", ")}; define one (EntityDefinitions/Keys) or address the row by its id.`,
      ErrorCodes.invalidArgument,
    );
  return values;
}
