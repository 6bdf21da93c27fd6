// The portal's register API as the event site's script calls it: `POST /api/events/register/
// ?readableEventId=…`, form body `json=…`, header `validation` = the page's token. It answers like
// the portal does: `{status, errorMessage, errorCode, redirectUrl, purchaseId}`, and errors in the
// portal API's shape (spec §8 item 13).
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readTextBody } from "../read-text-body";
import type { EventSiteAttendee, EventSiteBackend } from "./event-site-backend";
import { EventSiteError } from "./event-site-backend";

const MAX_BODY_BYTES = 64 * 1024;
const MAX_ATTENDEES = 20;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}

function apiError(status: number, type: string, errorMessage: string): Response {
  return json(status, {
    error: { type, errorMessage, statusCode: status, correlationId: randomBytes(8).toString("hex") },
  });
}

function refused(errorCode: string, errorMessage: string, status = 400): Response {
  return json(status, { status: "Error", errorMessage, errorCode, redirectUrl: null, purchaseId: null });
}

function sameToken(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the attendees out of the register body, or says what is wrong with them. */
export function parseAttendees(json: unknown): EventSiteAttendee[] | string {
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

/** The form's json field parsed, or the 400/413 answer that says what is wrong with the body. */
async function readRegistration(request: Request): Promise<unknown> {
  const raw = await readTextBody(request, MAX_BODY_BYTES);
  if (raw === null)
    return apiError(413, "BadRequest", `The registration is larger than ${MAX_BODY_BYTES} bytes.`);
  try {
    return JSON.parse(new URLSearchParams(raw).get("json") ?? "") as unknown;
  } catch {
    return apiError(
      400,
      "BadRequest",
      "The body must be a form field json=<URL-encoded JSON with attendees>.",
    );
  }
}

export function createRegisterApi(deps: {
  backend: EventSiteBackend;
  token: string;
  log: (line: string) => void;
}) {
  return async (request: Request): Promise<Response> => {
    if (request.method !== "POST")
      return apiError(405, "OnlyHttpPostAllowed", "The register API accepts POST only.");
    if (!sameToken(request.headers.get("validation"), deps.token))
      return apiError(
        403,
        "InvalidToken",
        "The validation header is missing or stale: reload the registration page and submit again.",
      );
    const readableEventId = new URL(request.url).searchParams.get("readableEventId")?.trim() ?? "";
    if (!readableEventId)
      return apiError(400, "BadRequest", "The query string needs readableEventId=<the event's readable id>.");
    const body = await readRegistration(request);
    if (body instanceof Response) return body;
    const attendees = parseAttendees(body);
    if (typeof attendees === "string") return refused("INVALID_ATTENDEES", attendees);
    try {
      const answer = deps.backend.register(readableEventId, attendees, null);
      deps.log(
        `registration for ${readableEventId}: ${answer.status}${answer.purchaseId ? ` purchase ${answer.purchaseId}` : ""}`,
      );
      const { status, redirectUrl, purchaseId } = answer;
      return json(200, { status, errorMessage: null, errorCode: null, redirectUrl, purchaseId });
    } catch (error) {
      if (error instanceof EventSiteError) return refused(error.code, error.message, error.status);
      throw error;
    }
  };
}
