// Stripe's API takes application/x-www-form-urlencoded bodies (and query strings) with bracket
// notation: `metadata[purchaseId]=…`, `line_items[0][price_data][currency]=eur`, `expand[]=x`.
// This turns such a string into nested plain objects and arrays of strings.

import { KitError } from "../../common/kit-error";
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

export class FormBodyError extends KitError {
  readonly code = "MALFORMED_FORM_BODY";
  constructor(message: string) {
    super(message);
    this.name = "FormBodyError";
  }
}

const MAX_DEPTH = 8;
/** Names that would reach an object's prototype once copied into plain objects. */
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/** Splits `a[b][0][c]` into ["a", "b", "0", "c"]; `a[]` gives ["a", ""]. */
function splitKey(key: string): string[] {
  const first = key.indexOf("[");
  if (first === -1) return [key];
  const parts = [key.slice(0, first)];
  const rest = key.slice(first);
  const pattern = /\[([^\]]*)\]/g;
  let consumed = 0;
  for (const match of rest.matchAll(pattern)) {
    if (match.index !== consumed)
      throw new FormBodyError(`Parameter name ${key} has text outside its brackets.`);
    parts.push(match[1] ?? "");
    consumed = match.index + match[0].length;
  }
  if (consumed !== rest.length) throw new FormBodyError(`Parameter name ${key} has an unclosed bracket.`);
  if (parts.length > MAX_DEPTH) throw new FormBodyError(`Parameter name ${key} is nested too deeply.`);
  return parts;
}

type Node = { [key: string]: Node | string };

function insert(root: Node, path: string[], value: string, fullKey: string): void {
  let node = root;
  for (let i = 0; i < path.length; i += 1) {
    let part = path[i] ?? "";
    const last = i === path.length - 1;
    if (part === "") part = String(Object.keys(node).length); // `x[]`: append
    if (last) {
      if (typeof node[part] === "object")
        throw new FormBodyError(`Parameter ${fullKey} is given both as a value and as an object.`);
      node[part] = value;
      return;
    }
    const next = node[part];
    if (typeof next === "string")
      throw new FormBodyError(`Parameter ${fullKey} is given both as a value and as an object.`);
    if (next === undefined) {
      const created: Node = Object.create(null) as Node;
      node[part] = created;
      node = created;
    } else {
      node = next;
    }
  }
}

/** Objects whose keys are all 0..n-1 become arrays, in index order. */
function normalise(node: Node | string): FormValue {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  const numeric = keys.length > 0 && keys.every((k) => /^\d+$/.test(k));
  if (numeric) {
    const indexes = keys.map(Number).sort((a, b) => a - b);
    return indexes.map((index) => normalise(node[String(index)] as Node | string));
  }
  const out: FormObject = {};
  for (const key of keys) out[key] = normalise(node[key] as Node | string);
  return out;
}

/** Parses a form body or query string (without the leading `?`). */
export function parseFormBody(text: string): FormObject {
  const root: Node = Object.create(null) as Node;
  if (text.trim() === "") return {};
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? "" : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, " "));
      value = decodeURIComponent(rawValue.replace(/\+/g, " "));
    } catch (cause) {
      throw new FormBodyError(`Parameter ${rawKey} is not valid percent-encoding (${String(cause)}).`);
    }
    if (key === "" || key.startsWith("[")) throw new FormBodyError(`Parameter name "${key}" is empty.`);
    const path = splitKey(key);
    if (path.some((part) => FORBIDDEN_NAMES.has(part)))
      throw new FormBodyError(`Parameter name ${key} is not allowed.`);
    insert(root, path, value, key);
  }
  const out: FormObject = {};
  for (const key of Object.keys(root)) out[key] = normalise(root[key] as Node | string);
  return out;
}
