// What every worker step receives: its dependencies, passed in, and a way to write an intermediate
// step (e.g. "finalize sent") before a remote call, so a crash after the call is detectable.

import type { EndpointDeps } from "../deps";
import type { JobEffects, JobRecord } from "../store/types";

export interface WorkerDeps extends EndpointDeps {
  /** [0, 1); jitter for backoff. */
  random?: () => number;
}

export interface StepContext extends WorkerDeps {
  job: JobRecord;
  random: () => number;
  /** Commit effects while keeping the job leased (the step continues). */
  commit(effects: Omit<JobEffects, "next">): Promise<void>;
}

export interface StepResult {
  effects: JobEffects;
  /** A short word for logs and metrics: finalized, refund_requested, retry, not_paid … */
  outcome: string;
  fields?: Record<string, unknown>;
}
