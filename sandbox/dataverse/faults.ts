// Fault knobs for the Web API: added latency, a rate of 5xx answers, failures injected into a named
// action or table, and drop-after-commit (the change is committed, then the connection is cut before
// any answer, so the caller cannot tell whether it happened).
import { DataverseFault, ErrorCodes } from "./errors";

export interface InjectedFailure {
  status: number;
  /** OData error code to answer with (default 0x80040216). */
  code?: string;
  message?: string;
  /** How many requests to fail; absent ⇒ every one until cleared. */
  times?: number;
}

export interface FaultKnobs {
  /** Milliseconds added to every Web API request (counted as execution time). */
  latencyMs: number;
  /** Fraction 0..1 of Web API requests answered with `errorStatus` before anything happens. */
  errorRate: number;
  errorStatus: number;
  /** Commit, then destroy the socket: for these first path segments (action names or entity sets, "*" = any) `times` times. */
  dropAfterCommit: { segments: string[] | "*"; times: number } | null;
  /** Failures by first path segment, e.g. { msevtmgt_FinalizeExternalRegistrationRequest: { status: 503 } }. */
  failures: Record<string, InjectedFailure>;
}

export const noFaults: FaultKnobs = {
  latencyMs: 0,
  errorRate: 0,
  errorStatus: 503,
  dropAfterCommit: null,
  failures: {},
};

export interface FaultCounts {
  randomErrors: number;
  injected: number;
  dropped: number;
}

export function createFaults(knobs: FaultKnobs, random: () => number) {
  const counts: FaultCounts = { randomErrors: 0, injected: 0, dropped: 0 };
  return {
    counts,
    knobs,
    /** Throws the fault to answer before the request runs, if any. */
    before(segment: string): void {
      if (knobs.errorRate > 0 && random() < knobs.errorRate) {
        counts.randomErrors++;
        throw new DataverseFault(
          knobs.errorStatus,
          ErrorCodes.unexpected,
          "An unexpected error occurred (injected by the stand-in's errorRate knob). Retry later.",
        );
      }
      const failure = knobs.failures[segment];
      if (failure && (failure.times === undefined || failure.times > 0)) {
        if (failure.times !== undefined) failure.times--;
        counts.injected++;
        throw new DataverseFault(
          failure.status,
          failure.code ?? ErrorCodes.unexpected,
          failure.message ?? `Failure injected into '${segment}' by the stand-in's failures knob.`,
        );
      }
    },
    /** True when this committed request should lose its answer. */
    dropAfter(segment: string): boolean {
      const d = knobs.dropAfterCommit;
      if (!d || d.times <= 0) return false;
      if (d.segments !== "*" && !d.segments.includes(segment)) return false;
      d.times--;
      counts.dropped++;
      return true;
    },
  };
}
