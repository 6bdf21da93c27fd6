// Links from the gateway page back into the Event Portal: the event page, the site's home and the
// confirmation page, on the page's own origin and at the paths the portal is configured with.
import { buildConfirmationUrl, DEFAULT_CONFIRMATION_PATH } from "../confirmation-endpoint/contract/v1";
import type { GatewayConfig } from "./read-config";

export interface SiteLinks {
  site(path: string): string;
  event(readableEventId: string): string;
  confirmation(readableEventId: string): string;
}

export function createSiteLinks(here: URL, config: GatewayConfig): SiteLinks {
  const site = (path: string) => new URL(path, here).href;
  return {
    site,
    event: (rid) => site(`${config.eventPath || "/event"}?id=${encodeURIComponent(rid)}`),
    confirmation: (rid) =>
      buildConfirmationUrl(here.origin, rid, config.confirmationPath || DEFAULT_CONFIRMATION_PATH),
  };
}
