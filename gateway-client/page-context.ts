// What every part of the running page shares: the browser seams, the resolved options, the
// endpoint client, the view, the timer, the links, the purchase being paid, and the two flows
// (checkout and status polling) so that each can hand over to the other.
import type { ReturnOutcome } from "../confirmation-endpoint/contract/v1";
import type { EndpointClient } from "./endpoint-client";
import type { GatewayPageDeps, GatewayPageOptions } from "./page-types";
import type { PageTimer } from "./page-timer";
import type { PageView } from "./page-view";
import type { SiteLinks } from "./site-links";

export type PageTiming = Required<Omit<GatewayPageOptions, "requestTimeoutMs">>;

export interface PageContext {
  deps: GatewayPageDeps;
  timing: PageTiming;
  client: EndpointClient;
  view: PageView;
  timer: PageTimer;
  links: SiteLinks;
  /** The page's own address as the attendee opened it. */
  here: URL;
  purchaseId: string;
  readableEventId: string;
  /** The purchase id was in the address (not only in sessionStorage). */
  purchaseIdInUrl: boolean;
  /** How the attendee arrived: back from the provider (and how), or null when fresh. */
  returnOutcome: ReturnOutcome | null;
  /** Asks the endpoint for the order and shows it (or what stops it). */
  checkout(): void;
  /** Follows the purchase's status until it settles. */
  poll(): void;
}

export function resolveTiming(options: GatewayPageOptions = {}): PageTiming {
  return {
    payMarginMs: options.payMarginMs ?? 3 * 60_000,
    pollInitialMs: options.pollInitialMs ?? 1000,
    pollMaxMs: options.pollMaxMs ?? 10_000,
    pollGiveUpMs: options.pollGiveUpMs ?? 10 * 60_000,
    pollFailuresBeforeUnreachable: options.pollFailuresBeforeUnreachable ?? 3,
  };
}
