// Small HTML helpers for the event site's pages: escaping and the shared page frame. Every value
// that comes from data goes through `escapeHtml`; pages carry no inline script or style, so they
// run under a strict Content-Security-Policy.

import { NO_FAVICON } from "../portal-look";
import { escapeHtml } from "../../common/escape-html";

export { escapeHtml };

/** Path prefix for the event site's own script and style (same origin as the pages). */
export const ASSET_PREFIX = "/event-site/";

/** The policy the event site's pages are served with: own script and style only, calls to the same origin. */
export const EVENT_SITE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface PageFrame {
  title: string;
  /** Language prefix of the URL ("" or "/fr-FR"), kept on links. */
  prefix: string;
  /** Anti-forgery token the registration script sends back (meta name="token", as the portal does). */
  token?: string;
  body: string;
}

export function renderFrame(frame: PageFrame): string {
  const token = frame.token === undefined ? "" : `\n<meta name="token" content="${escapeHtml(frame.token)}">`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">${token}
${NO_FAVICON}
<title>${escapeHtml(frame.title)} · Contoso Events (sandbox)</title>
<link rel="stylesheet" href="${ASSET_PREFIX}event-site.css">
<script src="${ASSET_PREFIX}event-site.js" defer></script>
</head>
<body>
<header class="es-header"><a href="${escapeHtml(frame.prefix)}/">Contoso Events</a> <a href="${escapeHtml(frame.prefix)}/event">All events</a></header>
<main id="main">
${frame.body}
</main>
<footer class="es-footer"><p>Event site of the local sandbox: pages the Event Portal would serve, backed by the Dataverse stand-in.</p></footer>
</body>
</html>
`;
}
