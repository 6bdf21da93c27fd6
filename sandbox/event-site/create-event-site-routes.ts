// The event site's routes, added to the portal preview by the sandbox: the pages the Event Portal
// serves around the payment gateway (`/event`, `/event/registration`, `/event/confirmation`, and
// `/event/payment` for an event without a gateway, with or without a language prefix), their
// script and style, and the portal's register API (register-api.ts).
import { randomBytes } from "node:crypto";
import { normalizeGuid } from "../../common/guid";
import { answer, type SiteRoutes } from "../site-routes";
import type { EventSiteBackend } from "./event-site-backend";
import { EVENT_SITE_SCRIPT, EVENT_SITE_STYLE } from "./event-site-assets";
import {
  renderConfirmationPage,
  renderDemoPaymentPage,
  renderEventList,
  renderEventNotFound,
  renderEventPage,
  renderRegistrationPage,
} from "./event-pages";
import { ASSET_PREFIX, EVENT_SITE_CSP } from "./html";
import { createRegisterApi } from "./register-api";

export interface EventSiteRoutesOptions {
  backend: EventSiteBackend;
  /** Anti-forgery token the pages carry and the register API checks; random by default. */
  token?: string;
  log?: (message: string) => void;
}

export interface EventSiteRoutes extends SiteRoutes {
  token: string;
}

const LANGUAGE_PREFIX = /^\/([a-z]{2,3}-[A-Za-z]{2,4})(?=\/)/;
const PAGES = ["/event", "/event/registration", "/event/confirmation", "/event/payment"];
const SCRIPT_PATH = `${ASSET_PREFIX}event-site.js`;
const STYLE_PATH = `${ASSET_PREFIX}event-site.css`;

const isRegisterApi = (path: string) => path.replace(/\/+$/, "") === "/api/events/register";
const REGISTRATIONS_API = "/api/events/registrations";

/** GET /api/events/registrations?readableEventId=…&purchaseId=…: one purchase's registrations, for its confirmation page. */
function purchaseRegistrations(request: Request, backend: EventSiteBackend): Response {
  const url = new URL(request.url);
  const purchaseId = normalizeGuid(url.searchParams.get("purchaseId") ?? "");
  const rid = url.searchParams.get("readableEventId")?.trim() ?? "";
  const json = (status: number, body: unknown) =>
    answer(request, status, JSON.stringify(body), {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
    });
  if (request.method !== "GET") return json(405, { error: "GET only" });
  if (!purchaseId || !rid)
    return json(400, { error: "readableEventId and a purchaseId (GUID) are required" });
  return json(200, { registrations: backend.purchaseRegistrations(rid, purchaseId) });
}

/** The language prefix ("" or "/fr-FR") and the page below it, lower case. */
function splitPage(path: string): { prefix: string; page: string } {
  const prefix = LANGUAGE_PREFIX.exec(path)?.[0] ?? "";
  return { prefix, page: path.slice(prefix.length).replace(/\/+$/, "").toLowerCase() };
}

function html(request: Request, status: number, body: string): Response {
  return answer(request, status, body, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": EVENT_SITE_CSP,
    "Cache-Control": "no-store",
  });
}

function servePage(request: Request, backend: EventSiteBackend, token: string): Response {
  const url = new URL(request.url);
  const { prefix, page } = splitPage(url.pathname);
  if (request.method !== "GET" && request.method !== "HEAD")
    return answer(request, 405, `The event pages answer GET only, not ${request.method}.\n`, {
      Allow: "GET, HEAD",
      "Content-Type": "text/plain; charset=utf-8",
    });
  const id = url.searchParams.get("id")?.trim() || null;
  if (page === "/event" && id === null)
    return html(request, 200, renderEventList(backend.listEvents(), prefix));
  const event = id === null ? undefined : backend.findEvent(id);
  if (!event) return html(request, 404, renderEventNotFound(id, prefix));
  if (page === "/event") return html(request, 200, renderEventPage(event, prefix));
  if (page === "/event/registration") return html(request, 200, renderRegistrationPage(event, prefix, token));
  if (page === "/event/payment") return html(request, 200, renderDemoPaymentPage(event, prefix));
  return html(request, 200, renderConfirmationPage(event, prefix));
}

export function createEventSiteRoutes(options: EventSiteRoutesOptions): EventSiteRoutes {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const { backend } = options;
  const register = createRegisterApi({ backend, token, log: options.log ?? (() => undefined) });
  return {
    token,
    claims: ({ pathname }) =>
      isRegisterApi(pathname) ||
      pathname === REGISTRATIONS_API ||
      pathname === SCRIPT_PATH ||
      pathname === STYLE_PATH ||
      PAGES.includes(splitPage(pathname).page),
    async handle(request) {
      const path = new URL(request.url).pathname;
      if (isRegisterApi(path)) return register(request);
      if (path === REGISTRATIONS_API) return purchaseRegistrations(request, backend);
      if (path === SCRIPT_PATH || path === STYLE_PATH) {
        const script = path === SCRIPT_PATH;
        return answer(request, 200, script ? EVENT_SITE_SCRIPT : EVENT_SITE_STYLE, {
          "Content-Type": script ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
          "Cache-Control": "no-cache",
        });
      }
      return servePage(request, backend, token);
    },
  };
}
