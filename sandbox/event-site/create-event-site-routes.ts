// The event site's routes, plugged into the preview server's `extraRoutes` hook: the pages the
// Event Portal serves around the payment gateway (`/event`, `/event/registration`,
// `/event/confirmation`, and `/event/payment` for an event without a gateway, with or without a
// language prefix), their script and style, and the
// portal's register API (`POST /api/events/register/?readableEventId=…`, form body `json=…`,
// header `validation` = the page's token), which answers like the portal does:
// `{status, errorMessage, errorCode, redirectUrl, purchaseId}`.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RouteHook } from "../../portal-emulator/preview-server";
import type { EventSiteAttendee, EventSiteBackend } from "./event-site-backend";
import { EventSiteError } from "./event-site-backend";
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
import { readRequestBody } from "../read-request-body";

export interface EventSiteRoutesOptions {
  backend: EventSiteBackend;
  /** Anti-forgery token the pages carry and the register API checks; random by default. */
  token?: string;
  log?: (message: string) => void;
}

export interface EventSiteRoutes {
  handle: RouteHook;
  token: string;
}

const MAX_BODY_BYTES = 64 * 1024;
const LANGUAGE_PREFIX = /^\/([a-z]{2,3}-[A-Za-z]{2,4})(?=\/)/;
const MAX_ATTENDEES = 20;

function sendHtml(res: ServerResponse, status: number, html: string, head: boolean): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": EVENT_SITE_CSP,
    "Cache-Control": "no-store",
  });
  res.end(head ? undefined : html);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

/** The portal API's error shape (spec §8 item 13). */
function apiError(res: ServerResponse, status: number, type: string, errorMessage: string): void {
  sendJson(res, status, {
    error: { type, errorMessage, statusCode: status, correlationId: randomBytes(8).toString("hex") },
  });
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the attendees out of the register body, or says what is wrong with them. */
function parseAttendees(json: unknown): EventSiteAttendee[] | string {
  const attendees = (json as { attendees?: unknown } | null)?.attendees;
  if (!Array.isArray(attendees) || attendees.length === 0) return "Add at least one attendee.";
  if (attendees.length > MAX_ATTENDEES) return `At most ${MAX_ATTENDEES} attendees can register at once.`;
  const out: EventSiteAttendee[] = [];
  for (const [i, raw] of attendees.entries()) {
    const a = (raw ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof a[name] === "string" ? (a[name] as string).trim() : "");
    const firstName = field("firstName");
    const lastName = field("lastName");
    const email = field("email");
    if (!firstName || !lastName) return `Attendee ${i + 1} needs a first and a last name.`;
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return `Attendee ${i + 1} needs a valid e-mail address.`;
    const passId = typeof a.passId === "string" && a.passId.trim() !== "" ? a.passId.trim() : null;
    out.push({ firstName, lastName, email, passId });
  }
  return out;
}

export function createEventSiteRoutes(options: EventSiteRoutesOptions): EventSiteRoutes {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const { backend } = options;
  const log = options.log ?? (() => undefined);

  async function register(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== "POST")
      return apiError(res, 405, "OnlyHttpPostAllowed", "The register API accepts POST only.");
    const header = req.headers.validation;
    if (!sameToken(Array.isArray(header) ? header[0] : header, token)) {
      return apiError(
        res,
        403,
        "InvalidToken",
        "The validation header is missing or stale: reload the registration page and submit again.",
      );
    }
    const readableEventId = url.searchParams.get("readableEventId")?.trim() ?? "";
    if (!readableEventId)
      return apiError(
        res,
        400,
        "BadRequest",
        "The query string needs readableEventId=<the event's readable id>.",
      );
    const raw = await readRequestBody(req, MAX_BODY_BYTES);
    if (raw === null)
      return apiError(res, 413, "BadRequest", `The registration is larger than ${MAX_BODY_BYTES} bytes.`);
    let json: unknown;
    try {
      json = JSON.parse(new URLSearchParams(raw).get("json") ?? "");
    } catch {
      return apiError(
        res,
        400,
        "BadRequest",
        "The body must be a form field json=<URL-encoded JSON with attendees>.",
      );
    }
    const attendees = parseAttendees(json);
    const refused = (errorCode: string, errorMessage: string, status = 400) =>
      sendJson(res, status, {
        status: "Error",
        errorMessage,
        errorCode,
        redirectUrl: null,
        purchaseId: null,
      });
    if (typeof attendees === "string") return refused("INVALID_ATTENDEES", attendees);
    try {
      const answer = backend.register(readableEventId, attendees, null);
      log(
        `registration for ${readableEventId}: ${answer.status}${answer.purchaseId ? ` purchase ${answer.purchaseId}` : ""}`,
      );
      sendJson(res, 200, {
        status: answer.status,
        errorMessage: null,
        errorCode: null,
        redirectUrl: answer.redirectUrl,
        purchaseId: answer.purchaseId,
      });
    } catch (error) {
      if (error instanceof EventSiteError) return refused(error.code, error.message, error.status);
      throw error;
    }
  }

  const handle: RouteHook = async (req, res, url) => {
    const path = url.pathname;
    if (path.replace(/\/+$/, "") === "/api/events/register") {
      await register(req, res, url);
      return true;
    }
    if (path === `${ASSET_PREFIX}event-site.js` || path === `${ASSET_PREFIX}event-site.css`) {
      const script = path.endsWith(".js");
      res.writeHead(200, {
        "Content-Type": script ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
        "Cache-Control": "no-cache",
      });
      res.end(script ? EVENT_SITE_SCRIPT : EVENT_SITE_STYLE);
      return true;
    }
    const prefix = LANGUAGE_PREFIX.exec(path)?.[0] ?? "";
    const page = path.slice(prefix.length).replace(/\/+$/, "").toLowerCase();
    if (!["/event", "/event/registration", "/event/confirmation", "/event/payment"].includes(page))
      return false;
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
      res.end(`The event pages answer GET only, not ${req.method ?? "?"}.\n`);
      return true;
    }
    const id = url.searchParams.get("id")?.trim() || null;
    if (page === "/event" && id === null) {
      sendHtml(res, 200, renderEventList(backend.listEvents(), prefix), head);
      return true;
    }
    const event = id === null ? undefined : backend.findEvent(id);
    if (!event) {
      sendHtml(res, 404, renderEventNotFound(id, prefix), head);
      return true;
    }
    if (page === "/event") sendHtml(res, 200, renderEventPage(event, prefix), head);
    else if (page === "/event/registration")
      sendHtml(res, 200, renderRegistrationPage(event, prefix, token), head);
    else if (page === "/event/payment") sendHtml(res, 200, renderDemoPaymentPage(event, prefix), head);
    else
      sendHtml(
        res,
        200,
        renderConfirmationPage(event, backend.registrations(event.readableEventId), prefix),
        head,
      );
    return true;
  };

  return { handle, token };
}
