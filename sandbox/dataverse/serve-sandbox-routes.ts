// The stand-in's own /sandbox/ routes, which no real Dataverse has: register a purchase the way the
// event site does, read or move the clock, set faults, read the state. The portal emulator's pages
// call them from another loopback origin, so they answer CORS for loopback origins only.
import type { DataverseRuntime } from "./dataverse-runtime";
import { DataverseFault, ErrorCodes } from "./errors";
import { isoTime } from "./context";
import { snapshotPurchase } from "./purchase-snapshot";
import { readJsonBody } from "./read-json-body";
import { registerPurchase, type RegistrationRequest } from "./register-purchase";
import { respond } from "./respond";
import type { Answer } from "./serve-web-api";

const registerPattern = /^\/sandbox\/events\/([^/]+)\/register$/;
const loopbackOrigin = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

/** Only loopback origins may read the sandbox routes (a page from elsewhere in the same browser may not). */
export function sandboxCors(request: Request): Record<string, string> {
  const from = request.headers.get("origin");
  const base = {
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    Vary: "Origin",
  };
  return from !== null && loopbackOrigin.test(from) ? { ...base, "Access-Control-Allow-Origin": from } : base;
}

function json(
  rt: DataverseRuntime,
  request: Request,
  body: unknown,
  entry: Record<string, unknown> = {},
): Answer {
  const response = respond(rt.clock.now, 200, JSON.stringify(body), {
    "Content-Type": "application/json; charset=utf-8",
    ...sandboxCors(request),
  });
  return { response, entry: { status: 200, ...entry } };
}

async function register(rt: DataverseRuntime, request: Request, readableEventId: string): Promise<Answer> {
  const body = ((await readJsonBody(request)) ?? {}) as Partial<RegistrationRequest>;
  const result = registerPurchase(rt.ctx, { ...body, attendees: body.attendees ?? [], readableEventId });
  const expiresAt = result.expiresAt === null ? null : new Date(result.expiresAt).toISOString();
  return json(rt, request, { ...result, expiresAt }, { purchaseId: result.purchaseId });
}

async function clock(rt: DataverseRuntime, request: Request): Promise<Answer> {
  if (request.method === "POST") {
    const body = ((await readJsonBody(request)) ?? {}) as { advanceMs?: unknown; set?: unknown };
    if (typeof body.advanceMs === "number") rt.clock.offset += body.advanceMs;
    else if (typeof body.set === "string" || typeof body.set === "number")
      rt.clock.offset = new Date(body.set).getTime() - rt.clock.baseNow();
    else
      throw new DataverseFault(
        400,
        ErrorCodes.invalidArgument,
        'Send {"advanceMs": <milliseconds>} or {"set": "<ISO time>"}.',
      );
  }
  return json(rt, request, { now: isoTime(rt.clock.now()), epochMs: rt.clock.now() });
}

function state(rt: DataverseRuntime, request: Request): Answer {
  const { store } = rt;
  const purchases = store
    .list("msevtmgt_eventpurchases")
    .map((p) => snapshotPurchase(rt.ctx, String(p.msevtmgt_eventpurchaseid)));
  return json(rt, request, {
    now: isoTime(rt.clock.now()),
    purchases,
    registrations: store.list("msevtmgt_eventregistrations").length,
    stats: rt.stats,
  });
}

export async function serveSandboxRoute(
  rt: DataverseRuntime,
  request: Request,
  path: string,
): Promise<Answer> {
  const method = request.method;
  if (method === "OPTIONS")
    return { response: respond(rt.clock.now, 204, null, sandboxCors(request)), entry: { status: 204 } };
  // A JSON body needs a preflight from another origin, so a page elsewhere cannot post a form here.
  if (method === "POST" && !(request.headers.get("content-type") ?? "").startsWith("application/json"))
    throw new DataverseFault(
      415,
      ErrorCodes.invalidArgument,
      `Send the body of POST ${path} as JSON, with Content-Type: application/json.`,
    );
  const registration = registerPattern.exec(path);
  if (registration?.[1] && method === "POST")
    return register(rt, request, decodeURIComponent(registration[1]));
  if (path === "/sandbox/clock") return clock(rt, request);
  if (path === "/sandbox/faults" && method === "POST") {
    Object.assign(rt.faultKnobs, (await readJsonBody(request)) ?? {});
    return json(rt, request, rt.faultKnobs);
  }
  if (path === "/sandbox/state" && method === "GET") return state(rt, request);
  throw new DataverseFault(
    404,
    ErrorCodes.resourceNotFound,
    `No sandbox route ${method} ${path}. Routes: POST /sandbox/events/<readable id>/register, GET|POST /sandbox/clock, POST /sandbox/faults, GET /sandbox/state.`,
  );
}
