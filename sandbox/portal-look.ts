// What makes the fixture portal look like an Event Portal next to the styled event pages: a small
// stylesheet of its own for the site's header, menu, footer and body (the fixture site carries no
// CSS), a viewport tag and a favicon link in the layout's <head> (so no page asks for
// /favicon.ico and gets a 404), and a stand-in for the portal's /SignIn page, which the header links
// to and the sandbox does not have (registration there is anonymous).
import { escapeHtml } from "../common/escape-html";
import { answer, type SiteRoutes } from "./site-routes";

export const PORTAL_STYLE_PATH = "/sandbox/portal.css";
const SIGN_IN_PATH = "/signin";

/** An empty icon: the browser shows its default and requests nothing. */
export const NO_FAVICON = '<link rel="icon" href="data:,">';

/** What the sandbox adds to the <head> of every page rendered in the portal's layout. */
export const PORTAL_LAYOUT_HEAD = [
  '<meta name="viewport" content="width=device-width, initial-scale=1">',
  NO_FAVICON,
  `<link rel="stylesheet" href="${PORTAL_STYLE_PATH}">`,
].join("\n");

const PORTAL_STYLE = `body{margin:0;font-family:system-ui,"Segoe UI",sans-serif;color:#1b1b1b;background:#fff;line-height:1.5}
.site-header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;background:#0b3d91;color:#fff;padding:.75rem 1rem}
.site-header a{color:#fff}
.site-header .brand{font-weight:700;font-size:1.15rem;text-decoration:none}
.site-header nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}
.site-header nav li.active a{text-decoration:underline;text-underline-offset:.3em}
.site-header .account{margin-left:auto}
.wrapper-body{max-width:60rem;margin:0 auto;padding:1rem}
.wrapper-body h1{font-size:1.75rem;margin:.5rem 0 1rem}
.btn{display:inline-block;background:#0b3d91;color:#fff;border-radius:4px;padding:.55rem 1rem;text-decoration:none}
.site-footer{border-top:1px solid #ccc;margin-top:2rem;padding:.75rem 1rem;font-size:.875rem;color:#444}
.site-footer p{margin:.25rem 0}
.site-footer a{color:#0b3d91}
a:focus-visible,button:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
`;

/** A path on this site to go back to after "sign-in", never another origin. */
function localPath(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\") ? value : "/";
}

function signInPage(returnUrl: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
${PORTAL_LAYOUT_HEAD}
<title>Sign in · Contoso Events (sandbox)</title>
</head>
<body>
<header class="site-header"><a class="brand" href="/">Contoso Events</a></header>
<main class="wrapper-body">
<h1>Sign in</h1>
<p>The sandbox has no sign-in: the Event Portal's pages here are anonymous, and registering for an
event needs no account.</p>
<p><a class="btn" href="${escapeHtml(returnUrl)}">Back to the page you were on</a></p>
</main>
</body>
</html>
`;
}

/** GET /sandbox/portal.css and the /SignIn stand-in. */
export function createPortalLookRoutes(): SiteRoutes {
  return {
    claims: ({ pathname }) => pathname === PORTAL_STYLE_PATH || pathname.toLowerCase() === SIGN_IN_PATH,
    async handle(request) {
      const url = new URL(request.url);
      if (url.pathname === PORTAL_STYLE_PATH)
        return answer(request, 200, PORTAL_STYLE, {
          "Content-Type": "text/css; charset=utf-8",
          "Cache-Control": "no-cache",
        });
      return answer(request, 200, signInPage(localPath(url.searchParams.get("returnUrl"))), {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
      });
    },
  };
}
