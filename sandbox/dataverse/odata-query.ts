// The slice of OData query options the stand-in understands: $select, $filter (comparisons joined by
// `and`), $expand of single-valued navigation properties with a nested $select, $orderby on one
// column, and $top. Anything else answers 400 naming what is not supported, rather than being
// silently ignored.
import { isGuid } from "../../common/guid";
import { badRequest } from "./errors";
import type { DataverseRecord } from "./record-store";
import { readableColumns, resolveNavigation, type EntityDefinition, type Schema } from "./schema";

type Comparison = {
  column: string;
  op: "eq" | "ne" | "gt" | "ge" | "lt" | "le";
  value: string | number | boolean | null;
};

export interface ExpandOption {
  navigation: string;
  lookup: string;
  select: string[] | null;
}

export interface ParsedQuery {
  select: string[] | null;
  filter: Comparison[];
  expand: ExpandOption[];
  orderBy: { column: string; descending: boolean } | null;
  top: number | null;
  /** $count=true: add @odata.count to a collection answer. */
  count: boolean;
}

const supported = new Set(["$select", "$filter", "$expand", "$top", "$orderby", "$count"]);

export function parseQuery(params: URLSearchParams, entity: EntityDefinition, schema: Schema): ParsedQuery {
  for (const key of params.keys()) {
    if (key.startsWith("$") && !supported.has(key)) {
      throw badRequest(
        `The query option '${key}' is not supported by the Dataverse stand-in. Use $select, $filter, $expand, $orderby or $top.`,
      );
    }
  }
  const select = parseSelect(params.get("$select"), entity);
  const filterText = params.get("$filter");
  const filter = filterText ? parseFilter(filterText, entity) : [];
  const expand = parseExpand(params.get("$expand"), entity, schema);
  const orderText = params.get("$orderby");
  let orderBy: ParsedQuery["orderBy"] = null;
  if (orderText) {
    const m = /^\s*(\S+)(?:\s+(asc|desc))?\s*$/i.exec(orderText);
    if (!m?.[1])
      throw badRequest(
        `$orderby '${orderText}' is not supported by the stand-in: give one column, optionally followed by asc or desc.`,
      );
    checkColumn(m[1], entity);
    orderBy = { column: m[1], descending: (m[2] ?? "").toLowerCase() === "desc" };
  }
  const topText = params.get("$top");
  let top: number | null = null;
  if (topText !== null) {
    top = Number(topText);
    if (!Number.isInteger(top) || top < 0)
      throw badRequest(`Invalid value '${topText}' for $top: give a non-negative integer.`);
  }
  const countText = params.get("$count");
  if (countText !== null && countText !== "true" && countText !== "false")
    throw badRequest(`Invalid value '${countText}' for $count: give true or false.`);
  return { select, filter, expand, orderBy, top, count: countText === "true" };
}

function parseSelect(text: string | null, entity: EntityDefinition): string[] | null {
  if (!text) return null;
  const cols = text
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of cols) checkColumn(c, entity);
  return cols;
}

function checkColumn(column: string, entity: EntityDefinition): void {
  if (!readableColumns(entity).has(column)) {
    throw badRequest(
      `Could not find a property named '${column}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'.`,
    );
  }
}

/** Splits on ` and ` outside quoted strings. */
function splitAnd(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    if (!quoted && /^\sand\s/i.test(text.slice(i, i + 5))) {
      parts.push(current);
      current = "";
      i += 4;
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

function parseFilter(text: string, entity: EntityDefinition): Comparison[] {
  let body = text.trim();
  while (body.startsWith("(") && body.endsWith(")")) body = body.slice(1, -1).trim();
  return splitAnd(body).map((part) => {
    let clause = part;
    while (clause.startsWith("(") && clause.endsWith(")")) clause = clause.slice(1, -1).trim();
    const m = /^(\S+)\s+(eq|ne|gt|ge|lt|le)\s+(.+)$/i.exec(clause);
    if (!m?.[1] || !m[2] || m[3] === undefined) {
      throw badRequest(
        `The stand-in cannot parse the $filter clause '${clause}': it understands '<column> eq|ne|gt|ge|lt|le <value>' joined by 'and'.`,
      );
    }
    checkColumn(m[1], entity);
    return { column: m[1], op: m[2].toLowerCase() as Comparison["op"], value: parseLiteral(m[3].trim()) };
  });
}

function parseLiteral(text: string): Comparison["value"] {
  const quoted = /^'((?:[^']|'')*)'$/.exec(text);
  if (quoted) return (quoted[1] ?? "").replace(/''/g, "'");
  if (text === "null") return null;
  if (text === "true" || text === "false") return text === "true";
  if (isGuid(text)) return text.toLowerCase();
  const n = Number(text);
  if (text !== "" && Number.isFinite(n)) return n;
  throw badRequest(
    `The $filter value '${text}' is not a literal the stand-in understands (quoted string, number, true, false, null or a GUID).`,
  );
}

function parseExpand(text: string | null, entity: EntityDefinition, schema: Schema): ExpandOption[] {
  if (!text) return [];
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      items.push(current);
      current = "";
    } else current += ch;
  }
  items.push(current);
  return items.map((raw) => {
    const m = /^\s*([A-Za-z0-9_]+)\s*(?:\((.*)\))?\s*$/.exec(raw);
    const navigation = m?.[1];
    const lookup = navigation ? resolveNavigation(entity, navigation) : undefined;
    if (!navigation || !lookup) {
      throw badRequest(
        `Could not find a property named '${raw.trim()}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'.`,
      );
    }
    const target = entity.lookups[lookup]?.[0];
    const targetEntity = [...schema.values()].find((e) => e.logicalName === target);
    let select: string[] | null = null;
    const nested = m[2];
    if (nested) {
      const sm = /^\$select=(.*)$/.exec(nested.trim());
      if (!sm || sm[1] === undefined)
        throw badRequest(`Only a nested $select is supported inside $expand, got '${nested}'.`);
      select = targetEntity ? parseSelect(sm[1], targetEntity) : null;
    }
    return { navigation, lookup, select };
  });
}

function compare(a: unknown, b: Comparison["value"]): number {
  if (a === null || a === undefined) return b === null ? 0 : -1;
  if (b === null) return 1;
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase().localeCompare(b.toLowerCase());
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return String(a).toLowerCase() === String(b).toLowerCase() ? 0 : String(a).localeCompare(String(b));
}

export function matchesFilter(record: DataverseRecord, filter: Comparison[]): boolean {
  return filter.every(({ column, op, value }) => {
    const c = compare(record[column], value);
    switch (op) {
      case "eq":
        return c === 0;
      case "ne":
        return c !== 0;
      case "gt":
        return c > 0;
      case "ge":
        return c >= 0;
      case "lt":
        return c < 0;
      case "le":
        return c <= 0;
    }
  });
}

/** The public shape of a row: selected columns (all when no $select), the primary id, an etag. */
export function projectRecord(
  record: DataverseRecord,
  entity: EntityDefinition,
  select: string[] | null,
): DataverseRecord {
  const out: DataverseRecord = { "@odata.etag": `W/"${String(record.versionnumber ?? 0)}"` };
  const columns = select ?? [...readableColumns(entity)];
  for (const c of columns) out[c] = record[c] ?? null;
  out[entity.primaryId] = record[entity.primaryId] ?? null;
  return out;
}

export function applyQuery(records: DataverseRecord[], query: ParsedQuery): DataverseRecord[] {
  let rows = records.filter((r) => matchesFilter(r, query.filter));
  if (query.orderBy) {
    const { column, descending } = query.orderBy;
    rows = [...rows].sort(
      (x, y) => compare(x[column], (y[column] ?? null) as Comparison["value"]) * (descending ? -1 : 1),
    );
  }
  if (query.top !== null) rows = rows.slice(0, query.top);
  return rows;
}
