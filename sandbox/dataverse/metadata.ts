// $metadata (CSDL XML) and the EntityDefinitions reads, generated from the schema and the actions
// present, so a caller discovering names at runtime sees exactly what the stand-in serves.
import { createHash } from "node:crypto";
import { escapeHtml as xml } from "../../common/escape-html";
import { badRequest, notFoundSegment } from "./errors";
import {
  findByLogicalName,
  lookupValueName,
  type AttributeType,
  type EntityDefinition,
  type Schema,
} from "./schema";
import type { ActionDefinition } from "./event-actions";

const edmType: Record<AttributeType, string> = {
  Uniqueidentifier: "Edm.Guid",
  String: "Edm.String",
  Memo: "Edm.String",
  Boolean: "Edm.Boolean",
  Money: "Edm.Decimal",
  Decimal: "Edm.Decimal",
  Integer: "Edm.Int32",
  DateTime: "Edm.DateTimeOffset",
  Picklist: "Edm.Int32",
  State: "Edm.Int32",
  Status: "Edm.Int32",
  Lookup: "Edm.Guid",
};

/** A stable GUID derived from a name, for MetadataId values. */
export function metadataId(name: string): string {
  const h = createHash("sha1").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function renderCsdl(schema: Schema, actions: Iterable<ActionDefinition>): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    "<edmx:DataServices>",
    '<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">',
  ];
  for (const e of schema.values()) {
    out.push(`<EntityType Name="${e.logicalName}"><Key><PropertyRef Name="${e.primaryId}" /></Key>`);
    out.push(`<Property Name="${e.primaryId}" Type="Edm.Guid" />`);
    for (const [name, type] of Object.entries(e.attributes))
      out.push(`<Property Name="${xml(name)}" Type="${edmType[type]}" />`);
    for (const [name, targets] of Object.entries(e.lookups)) {
      out.push(`<Property Name="${xml(lookupValueName(name))}" Type="Edm.Guid" />`);
      out.push(`<NavigationProperty Name="${xml(name)}" Type="mscrm.${targets[0] ?? "crmbaseentity"}" />`);
    }
    for (const [alias, lookup] of Object.entries(e.navigationAliases ?? {})) {
      out.push(
        `<NavigationProperty Name="${xml(alias)}" Type="mscrm.${e.lookups[lookup]?.[0] ?? "crmbaseentity"}" />`,
      );
    }
    out.push("</EntityType>");
  }
  out.push(
    '<ComplexType Name="WhoAmIResponse"><Property Name="BusinessUnitId" Type="Edm.Guid" Nullable="false" /><Property Name="UserId" Type="Edm.Guid" Nullable="false" /><Property Name="OrganizationId" Type="Edm.Guid" Nullable="false" /></ComplexType>',
  );
  const list = [...actions];
  for (const a of list) {
    if (!a.outputs) continue;
    out.push(`<ComplexType Name="${a.name}Response">`);
    for (const o of a.outputs) out.push(`<Property Name="${o.name}" Type="${o.type}" />`);
    out.push("</ComplexType>");
  }
  for (const a of list) {
    out.push(`<Action Name="${a.name}">`);
    for (const p of a.parameters)
      out.push(`<Parameter Name="${p.name}" Type="${p.type}" Nullable="${p.optional ? "true" : "false"}" />`);
    if (a.outputs) out.push(`<ReturnType Type="mscrm.${a.name}Response" Nullable="false" />`);
    out.push("</Action>");
  }
  out.push('<Function Name="WhoAmI"><ReturnType Type="mscrm.WhoAmIResponse" Nullable="false" /></Function>');
  out.push('<EntityContainer Name="System">');
  for (const e of schema.values())
    out.push(`<EntitySet Name="${e.setName}" EntityType="Microsoft.Dynamics.CRM.${e.logicalName}" />`);
  for (const a of list)
    out.push(`<ActionImport Name="${a.name}" Action="Microsoft.Dynamics.CRM.${a.name}" />`);
  out.push(
    '<FunctionImport Name="WhoAmI" Function="Microsoft.Dynamics.CRM.WhoAmI" IncludeInServiceDocument="false" />',
  );
  out.push("</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>");
  return out.join("\n");
}

type Row = Record<string, unknown>;

/** EntityDefinitions(LogicalName='x')/Keys: the stand-in builds each key's index at once (Active). */
function keyMetadata(e: EntityDefinition, select: string[] | null, base: string): Row {
  const rows = Object.entries(e.keys ?? {}).map(([name, columns]) => ({
    MetadataId: metadataId(`${e.logicalName}.key.${name}`),
    SchemaName: name,
    LogicalName: name.toLowerCase(),
    KeyAttributes: columns,
    EntityKeyIndexStatus: "Active",
    EntityLogicalName: e.logicalName,
  }));
  return {
    "@odata.context": `${base}/$metadata#EntityDefinitions('${e.logicalName}')/Keys`,
    value: rows.map((r) => selectColumns(r, select)),
  };
}

function entityMetadata(e: EntityDefinition): Row {
  return {
    MetadataId: metadataId(e.logicalName),
    LogicalName: e.logicalName,
    SchemaName: e.logicalName,
    EntitySetName: e.setName,
    PrimaryIdAttribute: e.primaryId,
    PrimaryNameAttribute: e.primaryName,
    IsCustomEntity: e.custom === true || e.logicalName.startsWith("msevtmgt_"),
  };
}

function attributeMetadata(e: EntityDefinition): Row[] {
  const rows: Row[] = [
    {
      "@odata.type": "#Microsoft.Dynamics.CRM.UniqueIdentifierAttributeMetadata",
      LogicalName: e.primaryId,
      AttributeType: "Uniqueidentifier",
    },
  ];
  for (const [name, type] of Object.entries(e.attributes)) {
    rows.push({
      "@odata.type": `#Microsoft.Dynamics.CRM.${type === "Uniqueidentifier" ? "UniqueIdentifier" : type}AttributeMetadata`,
      LogicalName: name,
      AttributeType: type,
    });
  }
  for (const [name, targets] of Object.entries(e.lookups)) {
    rows.push({
      "@odata.type": "#Microsoft.Dynamics.CRM.LookupAttributeMetadata",
      LogicalName: name,
      AttributeType: "Lookup",
      Targets: targets,
    });
  }
  return rows.map((r) => ({
    ...r,
    MetadataId: metadataId(`${e.logicalName}.${String(r.LogicalName)}`),
    SchemaName: r.LogicalName,
    EntityLogicalName: e.logicalName,
  }));
}

function selectColumns(row: Row, select: string[] | null): Row {
  if (!select) return row;
  const out: Row = {};
  if (row["@odata.type"]) out["@odata.type"] = row["@odata.type"];
  for (const c of select) out[c] = row[c] ?? null;
  out.MetadataId = row.MetadataId;
  return out;
}

/**
 * Answers `EntityDefinitions(LogicalName='x')[/Attributes[/Microsoft.Dynamics.CRM.LookupAttributeMetadata]]`.
 * `rest` is the path after `EntityDefinitions`; returns the body (without @odata.context's base).
 */
export function readEntityDefinitions(
  schema: Schema,
  rest: string,
  params: URLSearchParams,
  base: string,
): Row {
  // Case-insensitive: clients such as dynamics-web-api lower-case the path.
  const keys = /^\(LogicalName='([^']+)'\)\/Keys$/i.exec(rest);
  const m = /^\(LogicalName='([^']+)'\)(\/Attributes(\/Microsoft\.Dynamics\.CRM\.(\w+))?)?$/i.exec(rest);
  const logicalName = keys?.[1] ?? m?.[1];
  if (!logicalName) throw notFoundSegment(`EntityDefinitions${rest}`);
  const entity = findByLogicalName(schema, logicalName.toLowerCase());
  if (!entity)
    throw badRequest(`Could not find an entity with the logical name '${logicalName}'.`, "0x80060888");
  const selectText = params.get("$select");
  const select = selectText ? selectText.split(",").map((s) => s.trim()) : null;
  if (keys || !m) return keyMetadata(entity, select, base);
  if (!m[2]) {
    return {
      "@odata.context": `${base}/$metadata#EntityDefinitions/$entity`,
      ...selectColumns(entityMetadata(entity), select),
    };
  }
  let rows = attributeMetadata(entity);
  const cast = m[4];
  if (cast) {
    const wanted = `#Microsoft.Dynamics.CRM.${cast}`.toLowerCase();
    rows = rows.filter((r) => String(r["@odata.type"]).toLowerCase() === wanted);
  }
  const filterText = params.get("$filter");
  if (filterText) {
    const fm = /^\s*LogicalName\s+eq\s+'([^']*)'\s*$/.exec(filterText);
    if (!fm)
      throw badRequest(
        `The stand-in filters attribute metadata only by "LogicalName eq '<name>'", got '${filterText}'.`,
      );
    rows = rows.filter((r) => r.LogicalName === fm[1]);
  }
  const shown = rows.map((r) => {
    const s = selectColumns(r, select);
    if (cast) delete s["@odata.type"];
    return s;
  });
  const castName = cast
    ? `/Attributes/Microsoft.Dynamics.CRM.${String(rows[0]?.["@odata.type"] ?? `#${cast}`).replace(/^#Microsoft\.Dynamics\.CRM\./, "")}`
    : "/Attributes";
  const suffix = `${castName}${select ? `(${select.join(",")})` : ""}`;
  return {
    "@odata.context": `${base}/$metadata#EntityDefinitions('${entity.logicalName}')${suffix}`,
    value: shown,
  };
}
