// The Dataverse client's structured log: one object per line-worthy event. Never carries tokens,
// secrets or request bodies; callers adapt it to their own logger.

export type DataverseLogLevel = "debug" | "info" | "warn" | "error";

export interface DataverseLogEntry {
  level: DataverseLogLevel;
  event: string;
  [field: string]: unknown;
}

export type DataverseLogger = (entry: DataverseLogEntry) => void;

export const silentLogger: DataverseLogger = () => {};
