// The Dataverse Web API routes below /api/data/v9.x/: unbound actions, WhoAmI, $metadata,
// EntityDefinitions, and reads and writes of the stand-in's tables. Pure request → result; the
// server around it does authentication, service protection, faults and the wire format.
import { randomUUID } from "node:crypto";
import { normalizeGuid } from "../../common/guid";
import { DataverseFault, ErrorCodes, badRequest, notFoundSegment } from "./errors";
import { checkParameters, presentActions, type ActionCaller } from "./event-actions";
import { createColumn, createKey, createRelationship, createTable, parseAlternateKey } from "./custom-tables";
import { readEntityDefinitions, renderCsdl, metadataId } from "./metadata";
import { applyQuery, parseQuery, projectRecord, type ParsedQuery } from "./odata-query";
import { createRecord, updateRecord } from "./records";
import { findByLogicalName, lookupValueName, resolveNavigation, type EntityDefinition } from "./schema";
import type { StandInContext } from "./context";
import type { DataverseRecord } from "./record-store";

export interface ApiRequest {
  method: string;
  /** Path after /api/data/v9.x/, still URL-encoded. */
  path: string;
  params: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** https://host/api/data/v9.x — what @odata.context and OData-EntityId start with. */
  base: string;
}

export interface ApiResult {
  status: number;
  json?: Record<string, unknown>;
  xml?: string;
  headers?: Record<string, string>;
}

/** Tables the application user may create and update through the stand-in (others answer 403). */
const writableSets = new Set([
  "msevtmgt_events",
  "msevtmgt_eventadministrations",
  "msevtmgt_paymentproviders",
  "msevtmgt_passes",
  "contacts",
  "adx_webpages",
  "mspp_webpages",
  "powerpagecomponents",
]);
const readOnlyColumns = new Set(["createdon", "modifiedon", "versionnumber"]);
const keyPattern = /^([A-Za-z0-9_]+)(?:\(([^)]*)\))?$/;

/** The first path segment, decoded: what the per-action fault knobs key on. */
export function firstSegment(path: string): string {
  return decodeURIComponent(path.split("/")[0] ?? "").replace(/\(.*$/, "");
}

export function handleWebApi(ctx: StandInContext, req: ApiRequest, caller: ActionCaller): ApiResult {
  const path = decodeURIComponent(req.path);
  if (path === "" || path === "$metadata") {
    if (req.method !== "GET") throw methodNotAllowed(req.method, path);
    if (path === "") {
      return {
        status: 200,
        json: {
          "@odata.context": `${req.base}/$metadata`,
          value: [...ctx.schema.values()].map((e) => ({
            name: e.setName,
            kind: "EntitySet",
            url: e.setName,
          })),
        },
      };
    }
    return { status: 200, xml: renderCsdl(ctx.schema, presentActions(ctx).values()) };
  }
  if (path === "WhoAmI" || path === "WhoAmI()") {
    if (req.method !== "GET") throw methodNotAllowed(req.method, path);
    return {
      status: 200,
      json: {
        "@odata.context": `${req.base}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: metadataId("businessunit"),
        UserId: caller.userId,
        OrganizationId: metadataId("organization"),
      },
    };
  }
  if (req.method === "POST" && /^(EntityDefinitions|RelationshipDefinitions)/i.test(path))
    return createMetadata(ctx, path, req);
  if (/^EntityDefinitions/i.test(path)) {
    if (req.method !== "GET") throw methodNotAllowed(req.method, path);
    return {
      status: 200,
      json: readEntityDefinitions(ctx.schema, path.slice("EntityDefinitions".length), req.params, req.base),
    };
  }
  const action = presentActions(ctx).get(path);
  if (action) {
    if (req.method !== "POST") throw methodNotAllowed(req.method, path);
    const body = req.body ?? {};
    if (typeof body !== "object" || Array.isArray(body))
      throw badRequest(`The body of ${action.name} must be a JSON object.`);
    checkParameters(action, body as Record<string, unknown>);
    const out = action.run(ctx, body as Record<string, unknown>, caller);
    if (!action.outputs || out === null) return { status: 204 };
    return {
      status: 200,
      json: {
        "@odata.context": `${req.base}/$metadata#Microsoft.Dynamics.CRM.${action.name}Response`,
        ...out,
      },
    };
  }
  const m = keyPattern.exec(path);
  const entity = m?.[1] ? ctx.schema.get(m[1]) : undefined;
  if (!m || !entity) throw notFoundSegment(path.split("/")[0] ?? path);
  const keyText = m[2];
  if (keyText === undefined) {
    if (req.method === "GET") return readMany(ctx, entity, req);
    if (req.method === "POST") return write(ctx, entity, null, req);
    throw methodNotAllowed(req.method, path);
  }
  const alternate =
    normalizeGuid(keyText) === null && entity.keys ? parseAlternateKey(entity, keyText) : null;
  if (alternate) return byAlternateKey(ctx, entity, { keyText, alternate, path }, req);
  const id = parseKey(keyText, entity);
  if (req.method === "GET") return readOne(ctx, entity, id, req);
  if (req.method === "PATCH") return write(ctx, entity, id, req);
  throw methodNotAllowed(req.method, path);
}

/** GET reads and PATCH upserts the row an alternate key names (a missing row is created with the key's values). */
function byAlternateKey(
  ctx: StandInContext,
  entity: EntityDefinition,
  key: { keyText: string; alternate: Record<string, string>; path: string },
  req: ApiRequest,
): ApiResult {
  const found = findByAlternateKey(ctx, entity, key.alternate);
  if (req.method === "GET") {
    if (!found) throw notFound(entity, key.keyText);
    return readOne(ctx, entity, found, req);
  }
  if (req.method === "PATCH") return write(ctx, entity, found ?? randomUUID(), req, key.alternate);
  throw methodNotAllowed(req.method, key.path);
}

/** The id of the row whose key columns hold these values, if any. */
function findByAlternateKey(
  ctx: StandInContext,
  entity: EntityDefinition,
  values: Record<string, string>,
): string | undefined {
  const row = ctx.store
    .list(entity.setName)
    .find((r) => Object.entries(values).every(([column, value]) => r[column] === value));
  return row ? String(row[entity.primaryId]) : undefined;
}

/** POST EntityDefinitions, …/Attributes, …/Keys and RelationshipDefinitions (custom-tables.ts). */
function createMetadata(ctx: StandInContext, path: string, req: ApiRequest): ApiResult {
  const created = (what: string, name: string): ApiResult => ({
    status: 204,
    headers: { "OData-EntityId": `${req.base}/${what}(${metadataId(name)})` },
  });
  if (/^EntityDefinitions$/i.test(path)) {
    const entity = createTable(ctx, req.body);
    return created("EntityDefinitions", entity.logicalName);
  }
  if (/^RelationshipDefinitions$/i.test(path))
    return created("RelationshipDefinitions", createRelationship(ctx, req.body));
  const m = /^EntityDefinitions\(LogicalName='([^']+)'\)\/(Attributes|Keys)$/i.exec(path);
  if (!m?.[1] || !m[2]) throw methodNotAllowed(req.method, path);
  if (m[2].toLowerCase() === "keys")
    return created("EntityKeys", `${m[1]}.${createKey(ctx, m[1], req.body)}`);
  return created("Attributes", `${m[1]}.${createColumn(ctx, m[1], req.body)}`);
}

function methodNotAllowed(method: string, path: string): DataverseFault {
  return new DataverseFault(
    405,
    "0x80060888",
    `The HTTP method '${method}' is not allowed on '${path}' in the Dataverse stand-in.`,
  );
}

function parseKey(text: string, entity: EntityDefinition): string {
  const key = normalizeGuid(text);
  if (key === null) {
    throw badRequest(
      `Bad key '${text}' for ${entity.setName}: the stand-in addresses rows by their GUID, e.g. ${entity.setName}(00000000-0000-0000-0000-000000000001).`,
    );
  }
  return key;
}

function notFound(entity: EntityDefinition, id: string): DataverseFault {
  return new DataverseFault(
    404,
    ErrorCodes.recordNotFound,
    `${entity.logicalName} With Id = ${id} Does Not Exist`,
  );
}

function shape(
  ctx: StandInContext,
  entity: EntityDefinition,
  record: DataverseRecord,
  query: ParsedQuery,
): DataverseRecord {
  const out = projectRecord(record, entity, query.select);
  for (const ex of query.expand) {
    const targetLogical = entity.lookups[ex.lookup]?.[0];
    const target = targetLogical ? findByLogicalName(ctx.schema, targetLogical) : undefined;
    const targetId = record[lookupValueName(ex.lookup)];
    const row = target && typeof targetId === "string" ? ctx.store.get(target.setName, targetId) : undefined;
    out[ex.navigation] = row && target ? projectRecord(row, target, ex.select) : null;
  }
  return out;
}

function contextSuffix(query: ParsedQuery): string {
  const parts = [
    ...(query.select ?? []),
    ...query.expand.map((e) => `${e.navigation}(${(e.select ?? []).join(",")})`),
  ];
  return parts.length ? `(${parts.join(",")})` : "";
}

/**
 * Real-time journeys write the purchase row asynchronously after the Event API answered: with the
 * knob `rtmPurchaseDelayMs`, an RTM purchase stays invisible to reads for that long after creation.
 */
function visible(ctx: StandInContext, entity: EntityDefinition, record: DataverseRecord): boolean {
  const delay = ctx.knobs.rtmPurchaseDelayMs;
  if (delay <= 0 || entity.setName !== "msevtmgt_eventpurchases" || record.__mode !== "rtm") return true;
  const created = Date.parse(String(record.createdon ?? ""));
  return !Number.isFinite(created) || ctx.now() >= created + delay;
}

function readMany(ctx: StandInContext, entity: EntityDefinition, req: ApiRequest): ApiResult {
  const query = parseQuery(req.params, entity, ctx.schema);
  const all = ctx.store.list(entity.setName).filter((r) => visible(ctx, entity, r));
  const rows = applyQuery(all, query).map((r) => shape(ctx, entity, r, query));
  const json: Record<string, unknown> = {
    "@odata.context": `${req.base}/$metadata#${entity.setName}${contextSuffix(query)}`,
  };
  if (query.count) json["@odata.count"] = applyQuery(all, { ...query, top: null }).length;
  json.value = rows;
  return { status: 200, json };
}

function readOne(ctx: StandInContext, entity: EntityDefinition, id: string, req: ApiRequest): ApiResult {
  const query = parseQuery(req.params, entity, ctx.schema);
  const record = ctx.store.get(entity.setName, id);
  if (!record || !visible(ctx, entity, record)) throw notFound(entity, id);
  return {
    status: 200,
    json: {
      "@odata.context": `${req.base}/$metadata#${entity.setName}${contextSuffix(query)}/$entity`,
      ...shape(ctx, entity, record, query),
    },
  };
}

function headerValue(req: ApiRequest, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : (v ?? "");
}

/** Turns a PATCH/POST body into column changes, resolving `nav@odata.bind` to `_lookup_value`. */
function columnChanges(
  ctx: StandInContext,
  entity: EntityDefinition,
  body: Record<string, unknown>,
): DataverseRecord {
  const changes: DataverseRecord = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith("@odata.")) continue;
    const bind = /^(.+)@odata\.bind$/.exec(key);
    if (bind?.[1]) {
      const lookup = resolveNavigation(entity, bind[1]);
      if (!lookup)
        throw badRequest(
          `An undeclared property '${bind[1]}' which only has property annotations in the payload was found on ${entity.logicalName}.`,
        );
      if (value === null) {
        changes[lookupValueName(lookup)] = null;
        continue;
      }
      const ref = /(?:^|\/)([A-Za-z0-9_]+)\(\{?([0-9a-fA-F-]{36})\}?\)$/.exec(String(value));
      const target = ref?.[1] ? ctx.schema.get(ref[1]) : undefined;
      if (!ref?.[2] || !target)
        throw badRequest(
          `The value of ${key} must look like "/<entity set>(<guid>)", got ${JSON.stringify(value)}.`,
        );
      if (!(entity.lookups[lookup] ?? []).includes(target.logicalName)) {
        throw badRequest(
          `${lookup} on ${entity.logicalName} points at ${(entity.lookups[lookup] ?? []).join(" or ")}, not ${target.logicalName}.`,
        );
      }
      const targetId = ref[2].toLowerCase();
      if (!ctx.store.get(target.setName, targetId)) throw notFound(target, targetId);
      changes[lookupValueName(lookup)] = targetId;
      continue;
    }
    if (key.startsWith("_") && key.endsWith("_value")) {
      throw badRequest(
        `Set the lookup ${key} through its navigation property, e.g. "${key.slice(1, -6)}@odata.bind": "/<entity set>(<guid>)".`,
      );
    }
    const type = entity.attributes[key];
    if (key === entity.primaryId) continue;
    if (!type || readOnlyColumns.has(key)) {
      throw badRequest(
        `The property '${key}' does not exist on type 'Microsoft.Dynamics.CRM.${entity.logicalName}' or cannot be written. Use only property names the type defines.`,
      );
    }
    const ok =
      value === null ||
      (type === "Boolean"
        ? typeof value === "boolean"
        : ["Integer", "Money", "Decimal", "Picklist", "State", "Status"].includes(type)
          ? typeof value === "number"
          : typeof value === "string");
    const choices = entity.choices?.[key];
    if (!ok || (choices && value !== null && !choices.includes(value as number)))
      throw badRequest(
        `Cannot convert ${JSON.stringify(value)} to the type of ${entity.logicalName}.${key} (${type}).`,
      );
    changes[key] = value;
  }
  return changes;
}

function write(
  ctx: StandInContext,
  entity: EntityDefinition,
  id: string | null,
  req: ApiRequest,
  alternateKey: Record<string, string> | null = null,
): ApiResult {
  if (!writableSets.has(entity.setName) && !entity.custom) {
    throw new DataverseFault(
      403,
      ErrorCodes.missingPrivilege,
      `The application user lacks the privilege to write ${entity.logicalName} rows in the Dataverse stand-in.`,
    );
  }
  const body = req.body;
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw badRequest(`The body must be a JSON object of ${entity.logicalName} columns.`);
  const changes = columnChanges(ctx, entity, body as Record<string, unknown>);
  const result = ctx.store.transaction(() => {
    const existing = id ? ctx.store.get(entity.setName, id) : undefined;
    const ifMatch = headerValue(req, "if-match");
    const ifNoneMatch = headerValue(req, "if-none-match");
    if (ifMatch) {
      if (!existing) throw notFound(entity, id ?? "");
      if (ifMatch !== "*" && ifMatch !== `W/"${String(existing.versionnumber)}"`) {
        throw new DataverseFault(
          412,
          ErrorCodes.concurrencyVersionMismatch,
          `The version of the existing ${entity.logicalName} row does not match the If-Match value ${ifMatch}. Read it again and retry.`,
        );
      }
    }
    if (ifNoneMatch === "*" && existing) {
      throw new DataverseFault(
        412,
        ErrorCodes.duplicateRecord,
        `A ${entity.logicalName} row with id ${id ?? ""} already exists.`,
      );
    }
    if (existing && id) return { record: updateRecord(ctx, entity.setName, id, changes), created: false };
    const primary =
      id ??
      (typeof (body as DataverseRecord)[entity.primaryId] === "string"
        ? String((body as DataverseRecord)[entity.primaryId])
        : randomUUID());
    return {
      record: createRecord(ctx, entity.setName, {
        ...changes,
        ...alternateKey,
        [entity.primaryId]: primary.toLowerCase(),
      }),
      created: true,
    };
  });
  const rowId = String(result.record[entity.primaryId]);
  const headers = { "OData-EntityId": `${req.base}/${entity.setName}(${rowId})` };
  if (/return=representation/i.test(headerValue(req, "prefer"))) {
    const query = parseQuery(req.params, entity, ctx.schema);
    return {
      status: result.created ? 201 : 200,
      headers: { ...headers, "Preference-Applied": "return=representation" },
      json: {
        "@odata.context": `${req.base}/$metadata#${entity.setName}/$entity`,
        ...shape(ctx, entity, result.record, query),
      },
    };
  }
  return { status: 204, headers };
}
