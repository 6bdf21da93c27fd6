// The two lanes workers claim from (types.ts WorkLane), as one SQL condition both backends share.
// The kinds come from the code (lifecycle/jobs.ts), never from input, so they are inlined.

import { BACKGROUND_KINDS } from "../lifecycle/jobs";
import type { WorkLane } from "./types";

/**
 * "main" (the default): every kind but the background ones. "background": only those, and only
 * while no finalize job is pending at all (due, leased, or waiting out a Retry-After).
 */
export function laneFilter(lane: WorkLane | undefined, alias: string): string {
  const kinds = BACKGROUND_KINDS.map((k) => `'${k}'`).join(", ");
  if (lane !== "background") return `AND ${alias}.kind NOT IN (${kinds})`;
  return `AND ${alias}.kind IN (${kinds})
    AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.state = 'pending' AND f.kind = 'finalize')`;
}
