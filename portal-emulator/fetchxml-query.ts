// Runs a FetchXML query against in-memory fixture rows: entity, attributes, nested and/or filters
// with the common condition operators, order, count/top and page. Link-entities and aggregates
// are not evaluated (their conditions are ignored).

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export type FixtureRows = Record<string, Record<string, unknown>[]>;

export interface FetchResult {
  entities: Record<string, unknown>[];
  more_records: boolean;
  paging_cookie: string | null;
  total_record_count: number;
  total_record_count_limit_exceeded: boolean;
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Parses a small XML document (elements, attributes, text; no DTD) into a tree. */
function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  const pattern =
    /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/([\w:-]+)\s*>|<([\w:-]+)((?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  for (const match of xml.matchAll(pattern)) {
    const current = stack[stack.length - 1] as XmlElement;
    if (match[1]) {
      if (current.name !== match[1]) throw new Error(`FetchXML: </${match[1]}> closes <${current.name}>`);
      stack.pop();
    } else if (match[2]) {
      const attributes: Record<string, string> = {};
      for (const a of (match[3] ?? "").matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attributes[(a[1] as string).toLowerCase()] = decodeXml(a[2] ?? a[3] ?? "");
      }
      const element: XmlElement = { name: match[2].toLowerCase(), attributes, children: [], text: "" };
      current.children.push(element);
      if (match[4] !== "/") stack.push(element);
    } else if (match[5]) {
      current.text += decodeXml(match[5]);
    }
  }
  if (stack.length !== 1)
    throw new Error(`FetchXML: <${(stack[stack.length - 1] as XmlElement).name}> is not closed`);
  return root;
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

function field(row: Record<string, unknown>, name: string): unknown {
  if (name in row) return row[name];
  const lower = name.toLowerCase();
  const key = Object.keys(row).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : row[key];
}

function sameValue(actual: unknown, expected: string): boolean {
  if (actual === null || actual === undefined) return false;
  if (typeof actual === "object" && actual !== null && "id" in actual)
    return sameValue((actual as { id: unknown }).id, expected);
  return String(actual).toLowerCase() === expected.toLowerCase();
}

function compare(actual: unknown, expected: string): number {
  const a = Number(actual);
  const b = Number(expected);
  if (Number.isFinite(a) && Number.isFinite(b)) return a - b;
  return String(actual).localeCompare(expected);
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${escaped}$`, "i");
}

function matchesCondition(row: Record<string, unknown>, condition: XmlElement): boolean {
  const attribute = condition.attributes["attribute"] ?? "";
  const operator = (condition.attributes["operator"] ?? "eq").toLowerCase();
  const value = condition.attributes["value"] ?? "";
  const values = condition.children.filter((c) => c.name === "value").map((c) => c.text.trim());
  const actual = field(row, attribute);
  switch (operator) {
    case "eq":
      return sameValue(actual, value);
    case "ne":
    case "neq":
      return !sameValue(actual, value);
    case "null":
      return actual === null || actual === undefined;
    case "not-null":
      return actual !== null && actual !== undefined;
    case "gt":
      return actual != null && compare(actual, value) > 0;
    case "ge":
      return actual != null && compare(actual, value) >= 0;
    case "lt":
      return actual != null && compare(actual, value) < 0;
    case "le":
      return actual != null && compare(actual, value) <= 0;
    case "like":
      return actual != null && likeToRegExp(value).test(String(actual));
    case "not-like":
      return actual == null || !likeToRegExp(value).test(String(actual));
    case "begins-with":
      return actual != null && String(actual).toLowerCase().startsWith(value.toLowerCase());
    case "ends-with":
      return actual != null && String(actual).toLowerCase().endsWith(value.toLowerCase());
    case "in":
      return values.some((v) => sameValue(actual, v));
    case "not-in":
      return !values.some((v) => sameValue(actual, v));
    default:
      return true;
  }
}

function matchesFilter(row: Record<string, unknown>, filter: XmlElement): boolean {
  const parts = filter.children.filter((c) => c.name === "condition" || c.name === "filter");
  const test = (part: XmlElement) =>
    part.name === "filter" ? matchesFilter(row, part) : matchesCondition(row, part);
  return (filter.attributes["type"] ?? "and").toLowerCase() === "or" ? parts.some(test) : parts.every(test);
}

/** Evaluates `fetchXml` over `rows[entityName]`; unknown tables give an empty result. */
export function runFetchXml(fetchXml: string, rows: FixtureRows): FetchResult {
  const fetch = child(parseXml(fetchXml), "fetch");
  if (!fetch) throw new Error("FetchXML: the query has no <fetch> element");
  const entity = child(fetch, "entity");
  if (!entity) throw new Error("FetchXML: <fetch> has no <entity> element");
  const table = entity.attributes["name"] ?? "";
  let matched = (rows[table] ?? []).filter((row) =>
    entity.children.filter((c) => c.name === "filter").every((f) => matchesFilter(row, f)),
  );
  const orders = entity.children.filter((c) => c.name === "order");
  if (orders.length > 0) {
    matched = [...matched].sort((a, b) => {
      for (const order of orders) {
        const name = order.attributes["attribute"] ?? "";
        const sign = order.attributes["descending"] === "true" ? -1 : 1;
        const result = compare(field(a, name) ?? "", String(field(b, name) ?? ""));
        if (result !== 0) return sign * result;
      }
      return 0;
    });
  }
  const names = entity.children.filter((c) => c.name === "attribute").map((c) => c.attributes["name"] ?? "");
  const allAttributes = names.length === 0 || child(entity, "all-attributes") !== undefined;
  const primaryKey = `${table}id`;
  const projected = matched.map((row) => {
    if (allAttributes) return { ...row };
    const out: Record<string, unknown> = {};
    for (const name of [primaryKey, ...names]) {
      const value = field(row, name);
      if (value !== undefined) out[name] = value;
    }
    if (out[primaryKey] !== undefined) out["id"] = out[primaryKey];
    return out;
  });
  const limit = Number(fetch.attributes["top"] ?? fetch.attributes["count"] ?? Number.NaN);
  const page = Math.max(1, Number(fetch.attributes["page"] ?? 1) || 1);
  const size = Number.isFinite(limit) && limit > 0 ? limit : 5000;
  const start = fetch.attributes["top"] ? 0 : (page - 1) * size;
  const entities = projected.slice(start, start + size);
  const more = !fetch.attributes["top"] && start + size < projected.length;
  return {
    entities,
    more_records: more,
    paging_cookie: more ? `<cookie page="${page}" />` : null,
    total_record_count: fetch.attributes["returntotalrecordcount"] === "true" ? projected.length : -1,
    total_record_count_limit_exceeded: false,
  };
}
