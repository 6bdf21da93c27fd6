// The rule that keeps the payments table in step with the store: a worker step whose effects touch a
// purchase's state, payments or refunds enqueues a payments_table job for that purchase. Pure; the
// worker applies it to every step (run-job.ts), whichever job kind made the change.

import { paymentsTableJob } from "../lifecycle/jobs";
import type { JobEffects, JobRecord } from "../store/types";

/** The purchases whose rows the effects may change. */
export function purchasesTouched(effects: JobEffects, job: Pick<JobRecord, "purchaseId" | "kind">): string[] {
  if (job.kind === "payments_table") return [];
  const ids = new Set<string>();
  if (effects.purchase) ids.add(effects.purchase.purchaseId);
  for (const p of effects.payments ?? []) if (p.purchaseId) ids.add(p.purchaseId);
  for (const r of effects.refunds ?? []) if (r.purchaseId) ids.add(r.purchaseId);
  const refundsMoved = (effects.refundUpdates?.length ?? 0) > 0 || (effects.payments?.length ?? 0) > 0;
  if (refundsMoved && job.purchaseId) ids.add(job.purchaseId);
  return [...ids];
}

export function withPaymentsTableJobs(
  effects: JobEffects,
  job: Pick<JobRecord, "purchaseId" | "kind">,
  now: number,
): JobEffects {
  const touched = purchasesTouched(effects, job);
  if (touched.length === 0) return effects;
  return { ...effects, jobs: [...(effects.jobs ?? []), ...touched.map((id) => paymentsTableJob(id, now))] };
}
