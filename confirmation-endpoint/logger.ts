// Structured logs: one JSON line per event, keys that look like credentials replaced before the
// line is written. Callers pass ids and outcomes, never raw bodies or card data.

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEY =
  /authorization|secret|token|password|passphrase|private[-_]?key|cookie|signature|api[-_]?key/i;
const MAX_DEPTH = 6;

/** A copy of `value` with credential-like keys replaced by "[redacted]". */
export function redactFields(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return "[too deep]";
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

/** A logger writing JSON lines to `write` (stderr by default in main.ts). */
export function createJsonLogger(options: {
  write: (line: string) => void;
  now: () => number;
  minLevel?: LogLevel;
}): Logger {
  const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
  const min = order[options.minLevel ?? "info"];
  return {
    log(level, message, fields) {
      if (order[level] < min) return;
      const body = redactFields(fields ?? {}) as Record<string, unknown>;
      options.write(
        `${JSON.stringify({ time: new Date(options.now()).toISOString(), level, msg: message, ...body })}\n`,
      );
    },
  };
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
