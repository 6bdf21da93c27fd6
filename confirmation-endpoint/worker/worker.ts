// The outbox worker: claims due jobs under a lease, runs each step, and writes the step's effects
// and the job's fate in one transaction. A worker that dies mid-step leaves its job leased; once
// the lease runs out another worker (or the restarted one) claims it again and resumes from the
// stored state. One JSON log line per job (run-job.ts). The background loop keeps its slots
// busy: it claims again shortly after a job finishes, so a slow job (a Dataverse call that takes
// seconds) holds its own slot, not the jobs claimed beside it.

import { randomUUID } from "node:crypto";
import type { JobRecord, WorkLane } from "../store/types";
import type { WorkerDeps } from "./context";
import { describeError } from "./describe-error";
import { runJob } from "./run-job";

export interface WorkerOptions {
  workerId?: string;
  concurrency?: number;
  leaseMs?: number;
  /** How often, on the clock, a running job's lease is renewed (default a third of the lease, at least 1 s). */
  renewEveryMs?: number;
  /**
   * How often, in real time, a running job looks whether its lease is due for renewal (default
   * 1 s). The clock may run faster than real time (the burst benchmark's), so renewal is judged on
   * the clock and only looked at on a real timer.
   */
  renewTickMs?: number;
  /** Longest sleep of the background loop between polls. */
  pollMs?: number;
  /** Which jobs this worker claims (default "main"; see WorkLane in store/types.ts). */
  lane?: WorkLane;
  /**
   * Shortest sleep after a pass that ran nothing (default 0). The background lane sets it: its due
   * jobs wait while a finalize is pending, and the loop must not spin on them meanwhile.
   */
  minIdleMs?: number;
}

export interface Worker {
  readonly workerId: string;
  /** Claim and run one batch of due jobs; resolves to the number of jobs run. */
  runOnce(): Promise<number>;
  /** Run batches until no job is due at the clock's current time (bounded). */
  drain(maxBatches?: number): Promise<number>;
  /** Start the background loop (real timers). */
  start(): void;
  /** Run the loop soon (within a few ms) instead of at its next timer: new jobs were stored. */
  wake(): void;
  /** Stop the loop and wait for the jobs it is running. */
  stop(): Promise<void>;
}

/**
 * The pause after a pass that claimed nothing although a job is due: its purchase has another job
 * leased (on another instance, say a finalize waiting out Retry-After), or another claim holds its row
 * for a moment. Looking again at once would spin against the store until then; a wake (new work
 * stored) still runs the loop within GATHER_MS.
 */
const BLOCKED_PAUSE_MS = 250;
/**
 * How long a freed slot, or a wake for new work, waits for its claim: the slots that free up and the
 * jobs that are stored meanwhile are claimed in the same call (under a burst of webhooks or of quick
 * jobs, one claim per few jobs instead of one per job).
 */
const GATHER_MS = 10;

export function createWorker(deps: WorkerDeps, options: WorkerOptions = {}): Worker {
  const workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  const concurrency = options.concurrency ?? 4;
  const leaseMs = options.leaseMs ?? 120_000;
  const pollMs = options.pollMs ?? 5_000;
  const lane = options.lane ?? "main";
  const minIdleMs = options.minIdleMs ?? 0;
  const random = deps.random ?? Math.random;
  const { store, clock, logger } = deps;
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  /** When `timer` fires (performance.now()). */
  let timerAt = 0;
  let current: Promise<unknown> = Promise.resolve();
  let busy = false;
  /** The soonest the loop was asked to run again while it was busy (ms from the end of that pass). */
  let requestedDelay: number | null = null;

  const settings = {
    workerId,
    leaseMs,
    renewEveryMs: options.renewEveryMs ?? Math.max(1000, Math.floor(leaseMs / 3)),
    renewTickMs: options.renewTickMs ?? 1000,
    random,
  };

  const claim = (limit: number) => store.claimJobs({ workerId, limit, now: clock.now(), leaseMs, lane });

  async function runOnce(): Promise<number> {
    const jobs = await claim(concurrency);
    await Promise.all(jobs.map((job) => runJob(deps, job, settings)));
    return jobs.length;
  }

  /** Jobs the background loop has started and not yet seen finish. */
  const inFlight = new Set<Promise<void>>();

  function startJob(job: JobRecord): void {
    const run = runJob(deps, job, settings)
      .catch((error: unknown) =>
        logger.log("error", "worker loop", { workerId, jobId: job.id, error: describeError(error) }),
      )
      .finally(() => {
        inFlight.delete(run);
        runLoopIn(GATHER_MS);
      });
    inFlight.add(run);
  }

  /** How long to sleep when the store had fewer due jobs than free slots. */
  async function idleDelay(): Promise<number> {
    const next = await store.nextDueAt(lane);
    if (next === null) return pollMs;
    const wait = next - clock.now();
    return Math.max(minIdleMs, wait > 0 ? Math.min(pollMs, wait) : BLOCKED_PAUSE_MS);
  }

  async function loop(): Promise<void> {
    if (!running) return;
    timer = null;
    busy = true;
    requestedDelay = null;
    // null: every slot is busy; the next job to finish runs the loop again.
    let delay: number | null = null;
    try {
      const free = concurrency - inFlight.size;
      if (free > 0) {
        const jobs = await claim(free);
        for (const job of jobs) startJob(job);
        if (jobs.length < free) delay = await idleDelay();
      }
    } catch (error) {
      logger.log("error", "worker loop", { workerId, error: describeError(error) });
      delay = pollMs;
    }
    busy = false;
    if (requestedDelay !== null) delay = Math.min(delay ?? requestedDelay, requestedDelay);
    if (delay !== null) runLoopIn(delay);
  }

  /** Runs the loop in `delay` ms, unless it is due sooner; asked during a pass, once the pass ends. */
  function runLoopIn(delay: number): void {
    if (!running) return;
    if (busy) {
      requestedDelay = Math.min(requestedDelay ?? delay, delay);
      return;
    }
    const at = performance.now() + delay;
    if (timer) {
      if (timerAt <= at) return;
      clearTimeout(timer);
    }
    timerAt = at;
    timer = setTimeout(() => void (current = loop()), delay);
  }

  const wake = () => runLoopIn(GATHER_MS);

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
    wake,
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await current.catch(() => undefined);
      await Promise.all(inFlight);
    },
  };
}
