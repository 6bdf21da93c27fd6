// The outbox worker: claims due jobs under a lease, runs each step, and writes the step's effects
// and the job's fate in one transaction. A worker that dies mid-step leaves its job leased; once
// the lease runs out another worker (or the restarted one) claims it again and resumes from the
// stored state. One JSON log line per job.

import { randomUUID } from "node:crypto";
import { StaleLeaseError, VersionConflictError } from "../errors";
import type { JobKind } from "../lifecycle/jobs";
import { withReleaseJob } from "../lifecycle/release";
import type { StepContext, StepResult, WorkerDeps } from "./context";
import { handleCloseCheckoutJob, handleGuardJob } from "./handle-checkout-window";
import { handleFinalizeJob } from "./handle-finalize";
import { describeError } from "./describe-error";
import { handlePaymentJob } from "./handle-payment";
import { handleRefundJob } from "./handle-refund";
import { handleRefundSignalJob } from "./handle-refund-signal";
import { handleRtmReleaseJob } from "./handle-rtm-release";
import type { JobRecord } from "../store/types";

export interface WorkerOptions {
  workerId?: string;
  concurrency?: number;
  leaseMs?: number;
  /** How often a running job's lease is renewed (default a third of the lease, at least 1 s). */
  renewEveryMs?: number;
  /** Longest sleep of the background loop between polls. */
  pollMs?: number;
}

export interface Worker {
  readonly workerId: string;
  /** Claim and run one batch of due jobs; resolves to the number of jobs run. */
  runOnce(): Promise<number>;
  /** Run batches until no job is due at the clock's current time (bounded). */
  drain(maxBatches?: number): Promise<number>;
  /** Start the background loop (real timers). */
  start(): void;
  /** Run the loop now instead of at its next timer (new jobs were stored). */
  wake(): void;
  /** Stop the loop and wait for the batch in progress. */
  stop(): Promise<void>;
}

const HANDLERS: Record<JobKind, (ctx: StepContext) => Promise<StepResult>> = {
  payment: handlePaymentJob,
  finalize: handleFinalizeJob,
  refund: handleRefundJob,
  refund_signal: handleRefundSignalJob,
  close_checkout: handleCloseCheckoutJob,
  guard: handleGuardJob,
  rtm_release: handleRtmReleaseJob,
};

export function createWorker(deps: WorkerDeps, options: WorkerOptions = {}): Worker {
  const workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  const concurrency = options.concurrency ?? 4;
  const leaseMs = options.leaseMs ?? 120_000;
  const pollMs = options.pollMs ?? 5_000;
  const random = deps.random ?? Math.random;
  const { store, clock, logger, metrics } = deps;
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<unknown> = Promise.resolve();
  let busy = false;
  let wakeRequested = false;

  async function runJob(job: JobRecord): Promise<void> {
    const started = clock.now();
    const ctx: StepContext = {
      ...deps,
      job,
      random,
      commit: (effects) =>
        store.commitJob(job.id, workerId, { ...effects, next: { kind: "keep" } }, clock.now()),
    };
    const base = {
      jobId: job.id,
      kind: job.kind,
      purchaseId: job.purchaseId,
      attempt: job.attempts,
      workerId,
    };
    // A long step (a finalize waiting out Retry-After) keeps its lease, so no other worker starts
    // the same job meanwhile; a renewal that fails means the lease is lost and the commit will be refused.
    const renewal = setInterval(
      () => {
        const now = clock.now();
        store.renewLease(job.id, workerId, now + leaseMs, now).catch(() => clearInterval(renewal));
      },
      options.renewEveryMs ?? Math.max(1000, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    try {
      const result = await HANDLERS[job.kind](ctx);
      // Real-time journeys: a purchase that ends unregistered also releases its seats in Dynamics.
      const moved = result.effects.purchase;
      if (moved?.set.state !== undefined) {
        const before = await store.getPurchase(moved.purchaseId);
        result.effects = withReleaseJob(result.effects, before, clock.now());
      }
      await store.commitJob(job.id, workerId, result.effects, clock.now());
      metrics.increment("gateway_jobs_total", {
        kind: job.kind,
        outcome: result.outcome.split(":")[0] ?? result.outcome,
      });
      logger.log("info", "job", {
        ...base,
        outcome: result.outcome,
        ...result.fields,
        durationMs: clock.now() - started,
      });
      for (const letter of result.effects.deadLetters ?? []) {
        // The alert line: a person must settle each dead letter (npm run reconcile lists them).
        logger.log("error", "dead letter", {
          purchaseId: letter.purchaseId,
          kind: letter.kind,
          reason: letter.reason,
          jobId: job.id,
        });
      }
    } catch (error) {
      if (error instanceof VersionConflictError) {
        // Someone else changed the purchase: decide again shortly, from fresh state.
        await store
          .commitJob(
            job.id,
            workerId,
            { next: { kind: "retry", at: clock.now() + 200, error: describeError(error) } },
            clock.now(),
          )
          .catch(() => undefined);
        logger.log("warn", "job", {
          ...base,
          outcome: "version_conflict",
          durationMs: clock.now() - started,
        });
        return;
      }
      if (error instanceof StaleLeaseError) {
        logger.log("warn", "job", { ...base, outcome: "lease_lost", durationMs: clock.now() - started });
        return;
      }
      // Store down or an unexpected failure: leave the job leased; it is claimed again after the lease.
      metrics.increment("gateway_jobs_total", { kind: job.kind, outcome: "abandoned" });
      logger.log("error", "job", {
        ...base,
        outcome: "abandoned",
        error: describeError(error),
        durationMs: clock.now() - started,
      });
    } finally {
      clearInterval(renewal);
    }
  }

  async function runOnce(): Promise<number> {
    const jobs = await store.claimJobs({ workerId, limit: concurrency, now: clock.now(), leaseMs });
    await Promise.all(jobs.map(runJob));
    return jobs.length;
  }

  async function loop(): Promise<void> {
    if (!running) return;
    timer = null;
    busy = true;
    wakeRequested = false;
    let delay = pollMs;
    try {
      const ran = await runOnce();
      if (ran > 0) delay = 0;
      else {
        const next = await store.nextDueAt();
        if (next !== null) delay = Math.max(0, Math.min(pollMs, next - clock.now()));
      }
    } catch (error) {
      logger.log("error", "worker loop", { workerId, error: describeError(error) });
    }
    busy = false;
    if (wakeRequested) delay = 0;
    if (running) timer = setTimeout(() => void (current = loop()), delay);
  }

  return {
    workerId,
    runOnce,
    async drain(maxBatches = 1000) {
      let total = 0;
      for (let i = 0; i < maxBatches; i++) {
        const ran = await runOnce();
        if (ran === 0) break;
        total += ran;
      }
      return total;
    },
    start() {
      if (running) return;
      running = true;
      current = loop();
    },
    wake() {
      if (!running) return;
      if (busy) {
        wakeRequested = true;
        return;
      }
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void (current = loop()), 0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await current.catch(() => undefined);
    },
  };
}
