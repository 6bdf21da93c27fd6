// When a Dataverse answer is worth another try, and how long to wait first (spec §6 "Retry" and
// "Service protection"). Pure functions: the client passes its clock and random source in.

/** Service-protection codes, hex and decimal: request count, execution time, concurrency. */
const THROTTLE_CODES = new Set([
  "0x80072322",
  "0x80072321",
  "0x80072326",
  "-2147015902",
  "-2147015903",
  "-2147015898",
]);

export function isThrottleCode(code: string | undefined | null): boolean {
  return code !== undefined && code !== null && THROTTLE_CODES.has(code.trim().toLowerCase());
}

/** The kit's one throttle classifier: a 429, or a service-protection code in the code or sub-code. */
export function isThrottled(answer: {
  status: number;
  code?: string | undefined;
  subErrorCode?: string | undefined;
}): boolean {
  return answer.status === 429 || isThrottleCode(answer.code) || isThrottleCode(answer.subErrorCode);
}

/** Statuses after which a resend cannot help (the adx_ fallback is the caller's business). */
const FINAL_STATUSES = new Set([400, 403, 404, 405, 409, 412, 413, 501]);

/** Statuses that say the server had trouble; the request may or may not have run. */
export function isTransientStatus(status: number): boolean {
  return (status === 408 || status >= 500) && !FINAL_STATUSES.has(status);
}

export function isFinalStatus(status: number): boolean {
  return FINAL_STATUSES.has(status);
}

/**
 * Transient statuses after which the request may have run: not 503, which says the service did not
 * take the request (spec: "503 … retry", "500/502/504 … ambiguous").
 */
export function isAmbiguousStatus(status: number): boolean {
  return isTransientStatus(status) && status !== 503;
}

/**
 * Retry-After as delta-seconds ("12", "1.5") or an HTTP-date; milliseconds from `nowMs`, never
 * negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff with jitter: between half and all of base·2^attempt, capped at maxMs. */
export function computeBackoff(attempt: number, random: () => number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

/** Node network error codes raised before anything reached the server: safe to resend. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export function isNotSentNetworkCode(code: string | undefined): boolean {
  return code !== undefined && NOT_SENT_CODES.has(code);
}
