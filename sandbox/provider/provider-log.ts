// The logger shape the stand-in writes to: the same `log(level, message, fields)` as the endpoint's
// logger, so a caller can pass that one in. Fields carry ids and outcomes, never secrets or bodies.

export type ProviderLogLevel = "debug" | "info" | "warn" | "error";

export interface ProviderLog {
  log(level: ProviderLogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const silentLog: ProviderLog = { log: () => undefined };
