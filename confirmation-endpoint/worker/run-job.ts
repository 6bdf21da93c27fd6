// One job, start to end: the step runs with its lease renewed, its effects (plus the RTM release
// rule) commit with the job's fate, and one JSON line says what happened. A version conflict is
// decided again shortly; a lost lease drops the result; anything else leaves the job leased for
// another try after the lease.

import { StaleLeaseError, VersionConflictError } from "../errors";
import type { JobKind } from "../lifecycle/jobs";
import { movesToReleased, withReleaseJob } from "../lifecycle/release";
import { NO_TRACING } from "../observability/tracing";
import { withPaymentsTableJobs } from "../payments-table/follow-effects";
import type { JobRecord } from "../store/types";
import type { StepContext, StepResult, WorkerDeps } from "./context";
import { describeError } from "./describe-error";
import { handleCloseCheckoutJob, handleGuardJob } from "./handle-checkout-window";
import { handleFinalizeJob } from "./handle-finalize";
import { handlePaymentJob } from "./handle-payment";
import { handlePaymentsTableJob } from "./handle-payments-table";
import { handleRefundJob } from "./handle-refund";
import { handleRefundSignalJob } from "./handle-refund-signal";
import { handleRtmReleaseJob } from "./handle-rtm-release";

const HANDLERS: Record<JobKind, (ctx: StepContext) => Promise<StepResult>> = {
  payment: handlePaymentJob,
  finalize: handleFinalizeJob,
  refund: handleRefundJob,
  refund_signal: handleRefundSignalJob,
  close_checkout: handleCloseCheckoutJob,
  guard: handleGuardJob,
  rtm_release: handleRtmReleaseJob,
  payments_table: handlePaymentsTableJob,
};

export interface RunSettings {
  workerId: string;
  leaseMs: number;
  /** Clock ms between renewals of a running job's lease. */
  renewEveryMs: number;
  /** Real ms between looks at whether the lease is due (the clock may run faster than real time). */
  renewTickMs: number;
  random: () => number;
}

/**
 * Keeps a running job's lease: renewed every `renewEveryMs` of the clock, looked at every
 * `renewTickMs` of real time. A renewal the store refuses because the lease is gone (another
 * worker may have the job) aborts `signal`, so a step still waiting to call out (a finalize riding
 * out Retry-After) gives up instead of sending a second finalize beside the other worker's. Any
 * other failure (the store busy a moment) is tried again at the next look.
 */
function keepLease(
  deps: WorkerDeps,
  job: JobRecord,
  settings: RunSettings,
): { signal: AbortSignal; stop(): void } {
  const { store, clock } = deps;
  const { workerId, leaseMs, renewEveryMs } = settings;
  const lost = new AbortController();
  let renewedAt = clock.now();
  let renewing = false;
  const timer = setInterval(
    () => {
      const now = clock.now();
      if (renewing || now - renewedAt < renewEveryMs) return;
      renewing = true;
      store
        .renewLease(job.id, workerId, now + leaseMs, now)
        .then(
          () => (renewedAt = now),
          (error: unknown) => {
            if (!(error instanceof StaleLeaseError)) return;
            clearInterval(timer);
            lost.abort(error);
          },
        )
        .finally(() => (renewing = false));
    },
    Math.min(settings.renewTickMs, renewEveryMs),
  );
  timer.unref();
  return { signal: lost.signal, stop: () => clearInterval(timer) };
}

export async function runJob(deps: WorkerDeps, job: JobRecord, settings: RunSettings): Promise<void> {
  const { store, clock } = deps;
  const { workerId } = settings;
  const started = clock.now();
  // A long step (a finalize waiting out Retry-After) keeps its lease, so no other worker starts the
  // same job meanwhile; once the lease is lost, the step's commit will be refused.
  const lease = keepLease(deps, job, settings);
  const ctx: StepContext = {
    ...deps,
    job,
    random: settings.random,
    leaseLost: lease.signal,
    commit: (effects) =>
      store.commitJob(job.id, workerId, { ...effects, next: { kind: "keep" } }, clock.now()),
  };
  const line = { jobId: job.id, kind: job.kind, purchaseId: job.purchaseId, attempt: job.attempts, workerId };
  const span = {
    purchaseId: job.purchaseId,
    kind: "consumer" as const,
    attributes: { "job.kind": job.kind, "job.id": job.id, "job.attempt": job.attempts },
  };
  try {
    const result = await (deps.tracing ?? NO_TRACING).root(`job ${job.kind}`, span, async (handle) => {
      const stepped = await HANDLERS[job.kind](ctx);
      // Real-time journeys: a purchase that ends unregistered also releases its seats in Dynamics.
      const moved = stepped.effects.purchase;
      if (moved && movesToReleased(stepped.effects)) {
        stepped.effects = withReleaseJob(
          stepped.effects,
          await store.getPurchase(moved.purchaseId),
          clock.now(),
        );
      }
      // The payments table follows every change of a purchase's money (a background job, after this commit).
      if (deps.paymentsTable) stepped.effects = withPaymentsTableJobs(stepped.effects, job, clock.now());
      await store.commitJob(job.id, workerId, stepped.effects, clock.now());
      handle.setAttributes({ outcome: stepped.outcome.split(":")[0] ?? stepped.outcome });
      return stepped;
    });
    report(deps, job, result, { ...line, durationMs: clock.now() - started });
  } catch (error) {
    await settleFailure(deps, job, error, workerId, { ...line, durationMs: clock.now() - started });
  } finally {
    lease.stop();
  }
}

function report(deps: WorkerDeps, job: JobRecord, result: StepResult, line: Record<string, unknown>): void {
  const kind = job.kind;
  deps.metrics.increment("gateway_jobs_total", {
    kind,
    outcome: result.outcome.split(":")[0] ?? result.outcome,
  });
  deps.logger.log("info", "job", { ...line, outcome: result.outcome, ...result.fields });
  for (const letter of result.effects.deadLetters ?? []) {
    // The alert line: a person must settle each dead letter (npm run reconcile lists them).
    const { purchaseId, kind: letterKind, reason } = letter;
    deps.logger.log("error", "dead letter", { purchaseId, kind: letterKind, reason, jobId: job.id });
  }
}

async function settleFailure(
  deps: WorkerDeps,
  job: JobRecord,
  error: unknown,
  workerId: string,
  line: Record<string, unknown>,
): Promise<void> {
  const { store, clock, logger } = deps;
  if (error instanceof VersionConflictError) {
    // Someone else changed the purchase: decide again shortly, from fresh state.
    const retry = { next: { kind: "retry" as const, at: clock.now() + 200, error: describeError(error) } };
    await store.commitJob(job.id, workerId, retry, clock.now()).catch(() => undefined);
    logger.log("warn", "job", { ...line, outcome: "version_conflict" });
    return;
  }
  if (error instanceof StaleLeaseError) {
    logger.log("warn", "job", { ...line, outcome: "lease_lost" });
    return;
  }
  // Store down or an unexpected failure: leave the job leased; it is claimed again after the lease.
  deps.metrics.increment("gateway_jobs_total", { kind: job.kind, outcome: "abandoned" });
  logger.log("error", "job", { ...line, outcome: "abandoned", error: describeError(error) });
}
