// The gateway page's behaviour: find the purchase, ask the endpoint for the order, show it with a
// countdown, send the attendee to the provider, and after the return follow the purchase's status
// until it settles. Every dependency on the browser is passed in, so tests drive it in jsdom with
// a fake endpoint and a fake clock. This file only wires the parts together and picks the first flow.
import { readReturnOutcome } from "../confirmation-endpoint/contract/v1";
import { createEndpointClient } from "./endpoint-client";
import type { PageContext } from "./page-context";
import { resolveTiming } from "./page-context";
import { createPageTimer } from "./page-timer";
import type { GatewayPage, GatewayPageDeps } from "./page-types";
import { createPageView } from "./page-view";
import { pollStatus } from "./poll-status";
import { readPurchaseIds } from "./read-purchase-ids";
import { runCheckout } from "./run-checkout";
import { createSiteLinks } from "./site-links";

export type { GatewayPage, GatewayPageDeps, GatewayPageOptions, ViewName } from "./page-types";

export function startGatewayPage(deps: GatewayPageDeps): GatewayPage {
  const { config } = deps;
  const here = new URL(deps.location.href);
  const timer = createPageTimer(deps);
  const links = createSiteLinks(here, config);
  const view = createPageView({ root: deps.root, config, links, stopped: timer.stopped });
  const handle: GatewayPage = { view: view.current, stop: timer.stop };

  const ids = readPurchaseIds(here.href, deps.sessionStorage);
  if (!ids.ok) {
    const back = [view.backLink(ids.readableEventId)];
    if (ids.reason === "missing") view.showMessage("missing", "missingIdHeading", "missingIdBody", back);
    else view.showMessage("invalid", "invalidIdHeading", "invalidIdBody", back);
    return handle;
  }
  if (!config.endpointUrl) {
    const back = [view.backLink(ids.readableEventId)];
    view.showMessage("not_configured", "notConfiguredHeading", "notConfiguredBody", back);
    return handle;
  }

  const ctx: PageContext = {
    deps,
    timing: resolveTiming(deps.options),
    client: createEndpointClient({
      endpointUrl: config.endpointUrl,
      fetch: deps.fetch,
      setTimeout: deps.setTimeout,
      clearTimeout: deps.clearTimeout,
      timeoutMs: deps.options?.requestTimeoutMs,
    }),
    view,
    timer,
    links,
    here,
    purchaseId: ids.purchaseId,
    readableEventId: ids.readableEventId,
    purchaseIdInUrl: ids.fromQuery,
    returnOutcome: readReturnOutcome(here.href),
    checkout: () => void runCheckout(ctx),
    poll: () => pollStatus(ctx),
  };
  // Back from the provider after paying: follow the status. Fresh, or back after cancelling there:
  // show the order (again).
  if (ctx.returnOutcome === "success") ctx.poll();
  else ctx.checkout();
  return handle;
}
