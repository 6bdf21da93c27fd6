// Links from the gateway page back into the Event Portal: the event page, the site's home and the
// confirmation page, on the page's own origin and at the paths the portal is configured with. A
// multilingual portal puts the language in front of every path (`/fr-FR/event`): when the page
// itself was opened under its language's prefix, every link keeps it, so a French attendee stays
// on French pages all the way to the confirmation.
import { buildConfirmationUrl, DEFAULT_CONFIRMATION_PATH } from "../confirmation-endpoint/contract/v1";
import type { GatewayConfig } from "./read-config";

export interface SiteLinks {
  site(path: string): string;
  event(readableEventId: string): string;
  confirmation(readableEventId: string): string;
  /** The confirmation page's path as the endpoint should build it (with the language prefix). */
  confirmationPath: string;
}

/**
 * "/fr-FR" when the page's path starts with its own language's code (any case), else "". Only the
 * page's language counts: a page whose partial URL merely looks like a code is not a prefix.
 */
export function languagePrefix(pathname: string, locale: string): string {
  const first = /^\/([^/]+)\//.exec(pathname)?.[1];
  if (!first || !locale) return "";
  return first.toLowerCase() === locale.toLowerCase() ? `/${first}` : "";
}

export function createSiteLinks(here: URL, config: GatewayConfig): SiteLinks {
  const prefix = languagePrefix(here.pathname, config.locale);
  const site = (path: string) => new URL(`${prefix}${path}`, here).href;
  const confirmationPath = `${prefix}${config.confirmationPath || DEFAULT_CONFIRMATION_PATH}`;
  return {
    site,
    event: (rid) => site(`${config.eventPath || "/event"}?id=${encodeURIComponent(rid)}`),
    confirmation: (rid) => buildConfirmationUrl(here.origin, rid, confirmationPath),
    confirmationPath,
  };
}
