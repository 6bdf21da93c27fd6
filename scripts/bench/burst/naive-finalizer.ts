// The baseline of the ceiling benchmark: the same finalize calls made the way a simple integration
// would, with a fixed number of calls in flight and no Retry-After handling (a 429 is retried after
// 1, 2, 4 … s, up to 30 s, on the benchmark's clock). A purchase still unfinalized at its guard
// (deadline minus 3 minutes) is given up, which in the kit means a refund.

import type { ScaledClock } from "./scaled-clock";
import { forEachLimited } from "./purchases";

export interface NaiveResult {
  finalized: number;
  gaveUp: number;
  throttled: number;
  requests: number;
}

export async function finalizeNaively(options: {
  clock: ScaledClock;
  url: string;
  token: string;
  readableEventId: string;
  purchases: ReadonlyArray<{ purchaseId: string; guardAt: number }>;
  concurrency: number;
}): Promise<NaiveResult> {
  const result: NaiveResult = { finalized: 0, gaveUp: 0, throttled: 0, requests: 0 };
  await forEachLimited(options.purchases, options.concurrency, async ({ purchaseId, guardAt }) => {
    for (let attempt = 0; ; attempt++) {
      if (options.clock.now() >= guardAt) {
        result.gaveUp++;
        return;
      }
      result.requests++;
      const res = await fetch(`${options.url}/api/data/v9.2/msevtmgt_FinalizeExternalRegistrationRequest`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.token}`,
          "content-type": "application/json",
          accept: "application/json",
        },
        body: JSON.stringify({
          PurchaseId: purchaseId,
          ReadableEventId: options.readableEventId,
          UserId: "",
        }),
      });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 204) {
        result.finalized++;
        return;
      }
      if (res.status === 429) result.throttled++;
      await options.clock.sleep(Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)));
    }
  });
  return result;
}
