// Structured logs: one JSON line per event, written by pino. Callers pass ids and outcomes, never
// raw bodies or card data; two rules keep credentials out even when a caller slips:
// - by key, at any depth: a field whose name looks like a credential is replaced before the line is
//   built. pino's own `redact` takes fixed paths, not a key pattern at any depth, so this rule runs
//   as pino's `formatters.log` hook (the same function the in-memory logger uses);
// - by value: the secret values the endpoint was configured with are blanked out of the finished
//   line wherever they appear (an SDK's error message, a URL), through pino's `streamWrite` hook.

import { createRequire } from "node:module";
import { pino } from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

const SECRET_KEY =
  /authorization|secret|token|password|passphrase|private[-_]?key|cookie|signature|api[-_]?key/i;
const MAX_DEPTH = 6;
/** Shorter values are not blanked by value: they would hide ordinary words and numbers. */
const MIN_SECRET_LENGTH = 8;

/** True for a flat record of plain values under harmless keys: nothing to redact, no copy needed. */
function alreadyClean(value: object): boolean {
  for (const key in value) {
    if (SECRET_KEY.test(key)) return false;
    const item = (value as Record<string, unknown>)[key];
    if (item !== null && (typeof item === "object" || typeof item === "bigint")) return false;
  }
  return true;
}

/**
 * `value` with credential-like keys replaced by "[redacted]": a copy, or `value` itself when a
 * flat record has nothing to replace (most lines: ids, outcomes and counts, one per webhook).
 */
export function redactFields(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return "[too deep]";
  if (depth === 0 && value !== null && typeof value === "object" && !Array.isArray(value)) {
    if (!(value instanceof Error) && Object.getPrototypeOf(value) === Object.prototype && alreadyClean(value))
      return value;
  }
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  if (Array.isArray(value)) return value.map((item) => redactFields(item, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? "[redacted]" : redactFields(item, depth + 1);
    }
    return out;
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}

/**
 * The string values held under credential-like keys anywhere in `config` (the endpoint's parsed
 * configuration), for the logger to blank out by value.
 */
export function collectSecretValues(config: unknown, depth = 0, under = false): string[] {
  if (depth > MAX_DEPTH || config === null || config === undefined) return [];
  if (typeof config === "string") return under && config.length >= MIN_SECRET_LENGTH ? [config] : [];
  if (typeof config !== "object") return [];
  const found: string[] = [];
  for (const [key, item] of Object.entries(config)) {
    found.push(...collectSecretValues(item, depth + 1, under || SECRET_KEY.test(key)));
  }
  return [...new Set(found)];
}

/** Each secret as it may appear in a line: as is, and inside a JSON string (quotes and backslashes escaped). */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...forms];
}

/** `line` with every secret value replaced by "[redacted]". */
export function scrubSecrets(line: string, secrets: readonly string[]): string {
  return scrubForms(line, secretForms(secrets));
}

function scrubForms(line: string, forms: readonly string[]): string {
  let out = line;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join("[redacted]");
  return out;
}

export interface JsonLoggerOptions {
  write: (line: string) => void;
  now: () => number;
  /** Lines below this level are dropped (LOG_LEVEL; default info). */
  minLevel?: LogLevel;
  /** Values blanked out of every line (collectSecretValues of the config). */
  secrets?: readonly string[];
  /** "pretty": human-readable lines through pino-pretty (a dev dependency: the sandbox, a terminal). */
  format?: "json" | "pretty";
  /** Fields added to every line, e.g. the trace and span ids of the span in progress. */
  context?: () => Record<string, unknown> | null;
}

/** A logger writing JSON lines to `write` (stderr in main.ts). */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= MIN_SECRET_LENGTH);
  const forms = secretForms(secrets);
  const pretty = options.format === "pretty" ? loadPrettifier() : null;
  const write = pretty ? (line: string) => options.write(pretty(line)) : options.write;
  const logger = pino(
    {
      level: options.minLevel ?? "info",
      base: undefined,
      messageKey: "msg",
      timestamp: () => `,"time":"${new Date(options.now()).toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redactFields(fields) as Record<string, unknown>,
      },
      ...(secrets.length > 0 ? { hooks: { streamWrite: (line: string) => scrubForms(line, forms) } } : {}),
      ...(options.context ? { mixin: () => options.context?.() ?? {} } : {}),
    },
    { write },
  );
  return {
    log(level, message, fields) {
      logger[level](fields ?? {}, message);
    },
  };
}

/** pino-pretty, loaded only when asked for: production installs leave dev dependencies out. */
function loadPrettifier(): (line: string) => string {
  let factory: (options: Record<string, unknown>) => (input: string) => string;
  try {
    const require = createRequire(import.meta.url);
    factory = (require("pino-pretty") as { prettyFactory: typeof factory }).prettyFactory;
  } catch {
    throw new Error(
      "LOG_FORMAT=pretty needs pino-pretty, a dev dependency; install the dev dependencies or set LOG_FORMAT=json.",
    );
  }
  const prettify = factory({ colorize: false, translateTime: "SYS:HH:MM:ss.l", ignore: "" });
  return (line) => prettify(line);
}

/** A logger that keeps entries in memory (tests and benchmarks). */
export function createMemoryLogger(): Logger & {
  entries: Array<{ level: LogLevel; msg: string } & Record<string, unknown>>;
} {
  const entries: Array<{ level: LogLevel; msg: string } & Record<string, unknown>> = [];
  return {
    entries,
    log(level, message, fields) {
      entries.push({ ...(redactFields(fields ?? {}) as Record<string, unknown>), level, msg: message });
    },
  };
}
