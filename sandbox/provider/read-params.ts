// Typed reads from a parsed form body, answering Stripe-style 400s that name the parameter.
import type { FormObject, FormValue } from "./form-body";
import { invalidRequest, unknownParam } from "./api-error";

export function rejectUnknown(params: FormObject, allowed: readonly string[], prefix = ""): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) throw unknownParam(prefix === "" ? key : `${prefix}[${key}]`);
  }
}

export function optionalString(value: FormValue | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw invalidRequest(`Invalid string: ${param} must be a string, not an object or list.`, param);
  return value;
}

export function optionalInteger(value: FormValue | undefined, param: string): number | undefined {
  const text = optionalString(value, param);
  if (text === undefined || text === "") return undefined;
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidRequest(
      `Invalid integer: ${text} (${param} must be a whole number).`,
      param,
      "parameter_invalid_integer",
    );
  }
  return Number(text);
}

export function optionalBoolean(value: FormValue | undefined, param: string): boolean | undefined {
  const text = optionalString(value, param);
  if (text === undefined || text === "") return undefined;
  if (text !== "true" && text !== "false")
    throw invalidRequest(`Invalid boolean: ${text} (${param} must be true or false).`, param);
  return text === "true";
}

export function optionalObject(value: FormValue | undefined, param: string): FormObject | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value === "string" || Array.isArray(value)) {
    throw invalidRequest(
      `Invalid object: ${param} must be given with bracket keys, e.g. ${param}[key]=value.`,
      param,
    );
  }
  return value;
}

export function optionalList(value: FormValue | undefined, param: string): FormValue[] | undefined {
  if (value === undefined || value === "") return undefined;
  if (!Array.isArray(value))
    throw invalidRequest(`Invalid array: ${param} must be a list, e.g. ${param}[0]=…`, param);
  return value;
}

export function optionalStringList(value: FormValue | undefined, param: string): string[] | undefined {
  const list = optionalList(value, param);
  return list?.map((item, index) => {
    const text = optionalString(item, `${param}[${index}]`);
    return text ?? "";
  });
}

const METADATA_MAX_KEYS = 50;
const METADATA_KEY_MAX = 40;
const METADATA_VALUE_MAX = 500;

/** Metadata as Stripe limits it: at most 50 keys, keys up to 40 characters, values up to 500. Empty values unset a key. */
export function readMetadata(
  value: FormValue | undefined,
  param: string,
): Record<string, string> | undefined {
  const object = optionalObject(value, param);
  if (object === undefined) return value === "" ? {} : undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(object)) {
    const text = optionalString(item, `${param}[${key}]`) ?? "";
    if (key.length > METADATA_KEY_MAX) {
      throw invalidRequest(
        `Metadata key ${key} is longer than ${METADATA_KEY_MAX} characters.`,
        `${param}[${key}]`,
      );
    }
    if (text.length > METADATA_VALUE_MAX) {
      throw invalidRequest(
        `Metadata value for ${key} is longer than ${METADATA_VALUE_MAX} characters.`,
        `${param}[${key}]`,
      );
    }
    if (text !== "") out[key] = text;
  }
  if (Object.keys(out).length > METADATA_MAX_KEYS) {
    throw invalidRequest(`Metadata has more than ${METADATA_MAX_KEYS} keys.`, param);
  }
  return out;
}
