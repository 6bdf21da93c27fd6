// The gateway page's public shapes: what it needs from the browser, its options, and the views
// it can be in. Kept apart so every part of the page can name them without importing the others.
import type { PurchaseStatus } from "../confirmation-endpoint/contract/v1";
import type { GatewayConfig } from "./read-config";

export interface GatewayPageOptions {
  /** Stop offering payment this long before the purchase expires (default 3 minutes). */
  payMarginMs?: number;
  /** First delay between status polls (default 1 s); grows by half each time up to pollMaxMs. */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Stop polling and offer a retry after this long without a settled status (default 10 minutes). */
  pollGiveUpMs?: number;
  /** Consecutive failed polls before the page says the endpoint is unreachable (default 3). */
  pollFailuresBeforeUnreachable?: number;
  requestTimeoutMs?: number;
}

export interface GatewayPageDeps {
  root: HTMLElement;
  config: GatewayConfig;
  fetch: typeof fetch;
  now: () => number;
  setTimeout: (fn: () => void, ms: number) => number;
  clearTimeout: (id: number) => void;
  navigate: (url: string) => void;
  location: { href: string };
  sessionStorage: Pick<Storage, "getItem"> | null;
  options?: GatewayPageOptions | undefined;
}

export type ViewName =
  | "loading"
  | "checking"
  | "summary"
  | PurchaseStatus
  | "unreachable"
  | "stalled"
  | "missing"
  | "invalid"
  | "not_found"
  | "not_configured";

export interface GatewayPage {
  view(): ViewName;
  stop(): void;
}
