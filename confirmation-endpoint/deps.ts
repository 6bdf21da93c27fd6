// The collaborators the routes, the checkout step and the worker are all handed (never reached
// for), so a test or the sandbox can swap any of them.

import type { Clock } from "./clock";
import type { EventManagementApi } from "./dataverse/types";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { Tracing } from "./observability/tracing";
import type { ProviderSet } from "./providers/registry";
import type { PaymentStore } from "./store/types";

export interface EndpointDeps {
  store: PaymentStore;
  /** New checkouts use `providers.active`; a stored row is served by the provider it names. */
  providers: ProviderSet;
  dataverse: EventManagementApi;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Spans for checkouts, webhooks and jobs; omitted: NO_TRACING (observability/tracing.ts). */
  tracing?: Tracing;
}
