// What every worker step receives: its dependencies, passed in, and a way to write an intermediate
// step (e.g. "finalize sent") before a remote call, so a crash after the call is detectable.

import type { DeadlinePolicy } from "../config";
import type { EndpointDeps } from "../deps";
import type { PaymentsTableWriter } from "../payments-table/upsert-payment";
import type { JobEffects, JobRecord } from "../store/types";

/** What the payment job needs to take in a purchase its store does not know (recover-unknown-purchase.ts). */
export interface AdoptionSettings {
  /** This deployment's id: only a payment that carries it can be adopted or refunded as ours. */
  deploymentId: string;
  deadlinePolicy: DeadlinePolicy;
  /** Where an adopted purchase's confirmation link points (the first portal origin). */
  returnOrigin: string;
}

export interface WorkerDeps extends EndpointDeps {
  /** [0, 1); jitter for backoff. */
  random?: () => number;
  /** Unset: a payment for a purchase the store does not know is held for a person, never refunded blindly. */
  adoption?: AdoptionSettings;
  /**
   * Set when the payments table is on (PAYMENTS_TABLE=on): every step that changes a purchase, its
   * payments or its refunds enqueues a payments_table job, which upserts the rows through `writer`.
   */
  paymentsTable?: { writer: PaymentsTableWriter; deploymentId: string };
}

export interface StepContext extends WorkerDeps {
  job: JobRecord;
  random: () => number;
  /** Aborted when the job's lease is found lost: a step passes it to the calls it makes out. */
  leaseLost: AbortSignal;
  /** Commit effects while keeping the job leased (the step continues). */
  commit(effects: Omit<JobEffects, "next">): Promise<void>;
}

export interface StepResult {
  effects: JobEffects;
  /** A short word for logs and metrics: finalized, refund_requested, retry, not_paid … */
  outcome: string;
  fields?: Record<string, unknown>;
}
