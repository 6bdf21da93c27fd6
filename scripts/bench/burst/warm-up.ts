// Before a measured burst, each endpoint takes a few payments at a gentle rate, as an endpoint that
// has been selling tickets before the drop has: its webhook route and its worker have run (V8 has
// compiled them), its store connections are open. A process started moments before the burst pays
// for all of that on its first requests; with three of them starting together on two cores, that
// cost made most of the 3-instance ingest p99 (docs/benchmarks.md, "The first webhooks after a
// start"). The warm-up's own latencies are reported as the cold figure, beside the burst's.

import type { FireResult } from "./fire-webhooks";
import { fireWebhooks } from "./fire-webhooks";

/** Webhooks each endpoint instance takes before the burst. */
export const WARM_UP_PER_INSTANCE = 100;
/** Their rate, all instances together (a fifth of the burst's). */
export const WARM_UP_RATE = 100;

/** Fires the warm-up bodies at the endpoints' webhook URLs, dealt out in turn; resolves once all are answered. */
export function fireWarmUp(
  urls: readonly string[],
  bodies: readonly string[],
  headersFor: (body: string) => Record<string, string>,
): Promise<FireResult> {
  return fireWebhooks({ url: urls, bodies, ratePerSecond: WARM_UP_RATE, headersFor, timeoutMs: 10_000 });
}
