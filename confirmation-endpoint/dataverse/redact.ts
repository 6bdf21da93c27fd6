// Redaction of Dataverse bodies before they go into an error or a log: credentials by key, and the
// attendee's personal data (names, e-mail, phone) so a captured body can serve as a fixture.

const SENSITIVE_KEY =
  /authorization|secret|token|password|passphrase|e-?mail|firstname|lastname|fullname|phone|address|^name$/i;
const MAX_DEPTH = 8;

/** A deep copy of `value` with sensitive keys replaced by "[redacted]"; strings holding JSON are redacted too. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return "[too deep]";
  if (typeof value === "string") {
    const text = value.trim();
    if ((text.startsWith("{") && text.endsWith("}")) || (text.startsWith("[") && text.endsWith("]"))) {
      try {
        return JSON.stringify(redactValue(JSON.parse(text), depth + 1));
      } catch {
        return value;
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        SENSITIVE_KEY.test(key) && item !== null && item !== "" ? "[redacted]" : redactValue(item, depth + 1);
    }
    return out;
  }
  return value;
}

/** Redacts a raw body (JSON or not) and cuts it to `maxChars`. */
export function redactBody(body: unknown, maxChars = 4000): string {
  let text: string;
  if (typeof body === "string") {
    try {
      text = JSON.stringify(redactValue(JSON.parse(body)));
    } catch {
      text = body;
    }
  } else {
    text = JSON.stringify(redactValue(body)) ?? String(body);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}…[${text.length - maxChars} more chars]` : text;
}
