// The Dataverse stand-in: one node:http server on loopback that plays Microsoft Entra ID's token
// endpoint and a Dataverse organisation's Web API (the event-management subset), with service
// protection, fault knobs, clock control and SQLite state. See README "Sandbox: Dataverse stand-in".
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import { DataverseFault, ErrorCodes } from "./errors";
import { createFaults, noFaults, type FaultKnobs } from "./faults";
import { openRecordStore, type DataverseRecord } from "./record-store";
import { buildSchema, defaultNames, type StandInNames } from "./schema";
import { createServiceProtection, defaultLimits, type ServiceProtectionLimits } from "./service-protection";
import { createTokenService } from "./token-service";
import { firstSegment, handleWebApi } from "./web-api";
import { registerPurchase, type RegistrationRequest, type RegistrationResult } from "./register-purchase";
import { eventApiPattern, handleEventApi } from "./event-api";
import { loadPurchase, type PurchaseMode, type PurchaseState } from "./purchase-model";
import { seedSandbox, type SeedOptions, type SeedResult } from "./seed-data";
import { isoTime, type Knobs, type StandInContext } from "./context";
import { readRequestBody } from "../read-request-body";

export interface ApplicationUserOption {
  clientId: string;
  clientSecret?: string;
  /** PEM public key or certificate that verifies private_key_jwt client assertions. */
  certificatePem?: string;
}

export interface DataverseStandInOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only: the stand-in hands out tokens for a throwaway credential. */
  host?: "127.0.0.1";
  /** SQLite file; default in memory. Reopening the same file keeps every row, the users and the signing key. */
  dbPath?: string;
  /** Base clock (epoch ms); setClock/advance shift it. Default Date.now. */
  now?: () => number;
  tenantId?: string;
  /** Application users (client credentials). Default: the ones in the database, else one generated. */
  applicationUsers?: ApplicationUserOption[];
  /** expires_in of issued tokens (default 3599, like Entra ID). */
  tokenLifetimeSeconds?: number;
  limits?: Partial<ServiceProtectionLimits>;
  faults?: Partial<FaultKnobs>;
  knobs?: Partial<Knobs>;
  names?: Partial<StandInNames>;
  /** Random source for errorRate (default Math.random). */
  random?: () => number;
  /** Real-time source for service protection (default performance.now). */
  monotonic?: () => number;
  /** One structured line per request; never receives tokens, secrets or bodies. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface PurchaseSnapshot {
  purchaseId: string;
  readableEventId: string;
  mode: PurchaseMode;
  state: PurchaseState;
  paid: boolean;
  processed: boolean;
  createdOn: string;
  expiresAt: string;
  totalPrice: number;
  registrationIds: string[];
}

export interface StandInStats {
  apiRequests: number;
  tokenRequests: number;
  unauthorized: number;
  actionCalls: Record<string, number>;
  throttled: { requests: number; time: number; concurrency: number };
  faults: { randomErrors: number; injected: number; dropped: number };
}

export interface DataverseStandIn {
  /** Organisation URL, e.g. http://127.0.0.1:PORT; the Web API is at <url>/api/data/v9.2/. */
  url: string;
  /** Token endpoint: POST <authorityHost>/<tenantId>/oauth2/v2.0/token. */
  authorityHost: string;
  tenantId: string;
  /** The first application user's credentials. */
  clientId: string;
  clientSecret: string;
  /** `<url>/.default`. */
  scope: string;
  applicationUsers: Array<{ clientId: string; clientSecret: string | null }>;
  seed(options?: SeedOptions): SeedResult;
  /** Real-time journeys Event API base: POST <eventApiUrl>events/<readable id>/registrations?emApplicationtoken=<eventApiToken>. */
  eventApiUrl: string;
  eventApiToken: string;
  /** What event management does when the event site submits a registration. */
  register(request: RegistrationRequest): RegistrationResult;
  state: {
    get(setName: string, id: string): DataverseRecord | undefined;
    list(setName: string): DataverseRecord[];
    purchase(purchaseId: string): PurchaseSnapshot;
    stats: StandInStats;
  };
  now(): number;
  setClock(at: number | Date): void;
  advance(ms: number): void;
  setFaults(faults: Partial<FaultKnobs>): void;
  setKnobs(knobs: Partial<Knobs>): void;
  setLimits(limits: Partial<ServiceProtectionLimits>): void;
  close(): Promise<void>;
}

const apiPattern = /^\/api\/data\/(v9\.[012])\/?(.*)$/;
const tokenPattern = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const openIdPattern = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const keysPattern = /^\/([^/]+)\/discovery\/v2\.0\/keys$/;
const registerPattern = /^\/sandbox\/events\/([^/]+)\/register$/;
const maxBodyBytes = 1_048_576;
const loopbackOrigin = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge";
}

async function readBody(req: IncomingMessage): Promise<string> {
  const text = await readRequestBody(req, maxBodyBytes);
  if (text === null) throw new BodyTooLarge(`Request body larger than ${maxBodyBytes} bytes.`);
  return text;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new DataverseFault(
      400,
      ErrorCodes.querySyntax,
      "The request body is not valid JSON. Send a JSON object with Content-Type: application/json.",
      {},
      cause,
    );
  }
}

function wantsAnnotations(prefer: string | undefined): { details: boolean; help: boolean } {
  const m = /odata\.include-annotations="?([^",;]*)/i.exec(prefer ?? "");
  const v = m?.[1] ?? "";
  return {
    details: v === "*" || v.includes("Microsoft.PowerApps.CDS.ErrorDetails"),
    help: v === "*" || v.includes("HelpLink") || prefer?.includes("HelpLink") === true,
  };
}

export async function startDataverseStandIn(
  options: DataverseStandInOptions = {},
): Promise<DataverseStandIn> {
  const baseNow = options.now ?? Date.now;
  let offset = 0;
  const now = () => baseNow() + offset;
  const store = openRecordStore(options.dbPath);
  const names: StandInNames = { ...defaultNames, ...options.names };
  const knobs: Knobs = {
    listDetailedPurchaseInfo: true,
    finalizeActionPrefix: "msevtmgt",
    purchaseLifetimeMs: 50 * 60_000,
    defaultRtmTimeoutMinutes: 15,
    portalUrl: "",
    eventApiToken: store.getSetting("event-api-token") ?? randomBytes(18).toString("base64url"),
    eventApiOrigins: [],
    eventApiRedirectKey: "redirectUrl",
    rtmPurchaseDelayMs: 0,
    ...options.knobs,
  };
  store.setSetting("event-api-token", knobs.eventApiToken);
  const ctx: StandInContext = { store, schema: buildSchema(names), names, now, knobs };
  const limits: ServiceProtectionLimits = { ...defaultLimits, ...options.limits };
  const protection = createServiceProtection(limits, options.monotonic);
  const faultKnobs: FaultKnobs = { ...noFaults, failures: {}, ...options.faults };
  const faults = createFaults(faultKnobs, options.random ?? Math.random);
  const log = options.log ?? (() => {});
  const stats: StandInStats = {
    apiRequests: 0,
    tokenRequests: 0,
    unauthorized: 0,
    actionCalls: {},
    throttled: protection.throttled,
    faults: faults.counts,
  };

  const tenantId = options.tenantId ?? store.getSetting("tenant-id") ?? randomUUID();
  store.setSetting("tenant-id", tenantId);
  for (const u of options.applicationUsers ?? []) {
    store.putApplicationUser({
      clientId: u.clientId,
      clientSecret: u.clientSecret ?? null,
      certificatePem: u.certificatePem ?? null,
      userId: randomUUID(),
    });
  }
  if (store.listApplicationUsers().length === 0) {
    store.putApplicationUser({
      clientId: randomUUID(),
      clientSecret: randomBytes(24).toString("base64url"),
      certificatePem: null,
      userId: randomUUID(),
    });
  }

  let origin = "";
  let tokens: ReturnType<typeof createTokenService> | null = null;

  function send(
    res: ServerResponse,
    status: number,
    body: string | null,
    headers: Record<string, string>,
  ): void {
    // Date follows the stand-in's clock, so a clock-skew check sees what setClock/advance did.
    const dated = { Date: new Date(now()).toUTCString(), ...headers };
    res.writeHead(
      status,
      body === null ? dated : { ...dated, "Content-Length": String(Buffer.byteLength(body)) },
    );
    res.end(body ?? undefined);
  }

  function sendFault(
    res: ServerResponse,
    fault: DataverseFault,
    req: IncomingMessage,
    headers: Record<string, string>,
  ): void {
    const preferHeader = req.headers.prefer;
    const prefer = wantsAnnotations(Array.isArray(preferHeader) ? preferHeader.join(",") : preferHeader);
    const error: Record<string, unknown> = { code: fault.code, message: fault.message };
    if (prefer.details) {
      error["@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus"] = "0";
      if (fault.details.subErrorCode)
        error["@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode"] = fault.details.subErrorCode;
      error["@Microsoft.PowerApps.CDS.TraceText"] = `[Dataverse stand-in] ${fault.message}`;
      error["@Microsoft.PowerApps.CDS.InnerError.Message"] = fault.details.innerMessage ?? fault.message;
    }
    if (prefer.help)
      error["@Microsoft.PowerApps.CDS.HelpLink"] =
        `http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a${fault.code.replace(/^0x/, "")}&client=platform`;
    const out: Record<string, string> = {
      ...headers,
      ...fault.details.headers,
      "Content-Type": "application/json; odata.metadata=minimal",
    };
    if (prefer.details || prefer.help)
      out["Preference-Applied"] =
        `odata.include-annotations="${prefer.details ? "*" : "Microsoft.PowerApps.CDS.HelpLink"}"`;
    send(res, fault.status, JSON.stringify({ error }), out);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    version: string,
    rest: string,
    requestId: string,
  ): Promise<Record<string, unknown>> {
    stats.apiRequests++;
    const base = `${origin}/api/data/${version}`;
    const headers: Record<string, string> = {
      "OData-Version": "4.0",
      "x-ms-service-request-id": requestId,
      REQ_ID: requestId,
      "Cache-Control": "no-cache",
    };
    const auth = tokens?.checkBearer(req.headers.authorization) ?? {
      ok: false as const,
      reason: "invalid" as const,
      message: "Not ready.",
    };
    if (!auth.ok) {
      stats.unauthorized++;
      const ticket = auth.reason === "expired" ? "ExpiredAuthTicket" : "InvalidAuthTicket";
      // INFERRED: Dataverse's 401 body is undocumented; the WWW-Authenticate challenge is what clients use.
      sendFault(res, new DataverseFault(401, "", `${ticket}: ${auth.message}`), req, {
        ...headers,
        "WWW-Authenticate": `Bearer authorization_uri=${origin}/${tenantId}/oauth2/authorize, resource_id=${origin}/`,
      });
      return { status: 401, reason: auth.reason };
    }
    const admission = protection.admit(auth.clientId);
    res.on("close", () => admission.release());
    Object.assign(headers, protection.remaining(auth.clientId));
    try {
      if (faultKnobs.latencyMs > 0) await new Promise((r) => setTimeout(r, faultKnobs.latencyMs));
      const segment = firstSegment(rest);
      faults.before(segment);
      const body = parseJson(await readBody(req));
      const result = handleWebApi(
        ctx,
        {
          method: req.method ?? "GET",
          path: rest,
          params: url.searchParams,
          headers: req.headers,
          body,
          base,
        },
        auth,
      );
      if (req.method === "POST" && result.status < 300)
        stats.actionCalls[segment] = (stats.actionCalls[segment] ?? 0) + 1;
      if (result.status < 300 && req.method !== "GET" && faults.dropAfter(segment)) {
        req.socket.destroy();
        return { status: "dropped", clientId: auth.clientId };
      }
      const out = { ...headers, ...result.headers };
      if (result.xml !== undefined)
        send(res, result.status, result.xml, { ...out, "Content-Type": "application/xml" });
      else if (result.json !== undefined)
        send(res, result.status, JSON.stringify(result.json), {
          ...out,
          "Content-Type": "application/json; odata.metadata=minimal",
        });
      else send(res, result.status, null, out);
      return { status: result.status, clientId: auth.clientId };
    } catch (error) {
      if (error instanceof DataverseFault) {
        sendFault(res, error, req, headers);
        return { status: error.status, code: error.code, clientId: auth.clientId };
      }
      throw error;
    }
  }

  async function handleToken(
    req: IncomingMessage,
    res: ServerResponse,
    tenant: string,
    url: URL,
  ): Promise<Record<string, unknown>> {
    stats.tokenRequests++;
    const form = new URLSearchParams(await readBody(req));
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    let basicAuth: { id: string; secret: string } | null = null;
    if (basic?.[1]) {
      const [id, secret] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
      basicAuth = { id: decodeURIComponent(id ?? ""), secret: decodeURIComponent(secret ?? "") };
    }
    const answer = tokens?.handleTokenRequest(tenant, form, basicAuth, `${origin}${url.pathname}`) ?? {
      status: 503,
      body: {},
    };
    send(res, answer.status, JSON.stringify(answer.body), {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store, no-cache",
      "x-ms-request-id": randomUUID(),
    });
    return { status: answer.status, error: answer.body.error ?? null, clientId: form.get("client_id") };
  }

  // The sandbox routes are called from the portal emulator's pages on another loopback origin.
  // Only loopback origins may read them (a page from elsewhere in the same browser may not).
  const sandboxCors = (req: IncomingMessage): Record<string, string> => {
    const from = req.headers.origin;
    const base = {
      "Access-Control-Allow-Headers": "Content-Type",
      "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
      Vary: "Origin",
    };
    return typeof from === "string" && loopbackOrigin.test(from)
      ? { ...base, "Access-Control-Allow-Origin": from }
      : base;
  };

  function sandboxJson(res: ServerResponse, status: number, body: unknown): void {
    send(res, status, JSON.stringify(body), {
      "Content-Type": "application/json; charset=utf-8",
      ...sandboxCors(res.req),
    });
  }

  async function handleSandbox(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<Record<string, unknown>> {
    if (req.method === "OPTIONS") {
      send(res, 204, null, sandboxCors(req));
      return { status: 204 };
    }
    // A JSON body needs a preflight from another origin, so a page elsewhere cannot post a form here.
    if (req.method === "POST" && !String(req.headers["content-type"] ?? "").startsWith("application/json")) {
      throw new DataverseFault(
        415,
        ErrorCodes.invalidArgument,
        `Send the body of POST ${path} as JSON, with Content-Type: application/json.`,
      );
    }
    const register = registerPattern.exec(path);
    if (register?.[1] && req.method === "POST") {
      const body = (parseJson(await readBody(req)) ?? {}) as Partial<RegistrationRequest>;
      const result = registerPurchase(ctx, {
        ...body,
        attendees: body.attendees ?? [],
        readableEventId: decodeURIComponent(register[1]),
      });
      sandboxJson(res, 200, {
        ...result,
        expiresAt: result.expiresAt === null ? null : new Date(result.expiresAt).toISOString(),
      });
      return { status: 200, purchaseId: result.purchaseId };
    }
    if (path === "/sandbox/clock") {
      if (req.method === "POST") {
        const body = (parseJson(await readBody(req)) ?? {}) as { advanceMs?: unknown; set?: unknown };
        if (typeof body.advanceMs === "number") offset += body.advanceMs;
        else if (typeof body.set === "string" || typeof body.set === "number")
          offset = new Date(body.set).getTime() - baseNow();
        else
          throw new DataverseFault(
            400,
            ErrorCodes.invalidArgument,
            'Send {"advanceMs": <milliseconds>} or {"set": "<ISO time>"}.',
          );
      }
      sandboxJson(res, 200, { now: isoTime(now()), epochMs: now() });
      return { status: 200 };
    }
    if (path === "/sandbox/faults" && req.method === "POST") {
      Object.assign(faultKnobs, parseJson(await readBody(req)) ?? {});
      sandboxJson(res, 200, faultKnobs);
      return { status: 200 };
    }
    if (path === "/sandbox/state" && req.method === "GET") {
      const purchases = store
        .list("msevtmgt_eventpurchases")
        .map((p) => snapshot(String(p.msevtmgt_eventpurchaseid)));
      sandboxJson(res, 200, {
        now: isoTime(now()),
        purchases,
        registrations: store.list("msevtmgt_eventregistrations").length,
        stats,
      });
      return { status: 200 };
    }
    throw new DataverseFault(
      404,
      ErrorCodes.resourceNotFound,
      `No sandbox route ${req.method ?? ""} ${path}. Routes: POST /sandbox/events/<readable id>/register, GET|POST /sandbox/clock, POST /sandbox/faults, GET /sandbox/state.`,
    );
  }

  function snapshot(purchaseId: string): PurchaseSnapshot {
    const p = loadPurchase(ctx, purchaseId, "purchaseId");
    return {
      purchaseId: p.id,
      readableEventId: String(p.event.msevtmgt_readableeventid ?? ""),
      mode: p.mode,
      state: p.state,
      paid: p.record.msevtmgt_paid === true,
      processed: p.record.msevtmgt_processed === true,
      createdOn: String(p.record.createdon),
      expiresAt: new Date(p.expiresAt).toISOString(),
      totalPrice: Number(p.record.msevtmgt_totalprice ?? 0),
      registrationIds: p.attendees
        .map(
          (a) =>
            store.get("msevtmgt_eventpurchaseattendees", a.attendeeId)?._msevtmgt_eventregistrationid_value,
        )
        .filter((v): v is string => typeof v === "string"),
    };
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? "/", "http://stand-in.invalid");
    const path = url.pathname;
    const route = async (): Promise<Record<string, unknown>> => {
      const api = apiPattern.exec(path);
      if (api?.[1] !== undefined) return handleApi(req, res, url, api[1], api[2] ?? "", requestId);
      const token = tokenPattern.exec(path);
      if (token?.[1] && req.method === "POST") return handleToken(req, res, token[1], url);
      const openId = openIdPattern.exec(path);
      if (openId?.[1] && req.method === "GET") {
        sandboxJson(res, 200, tokens?.openIdConfiguration(openId[1]));
        return { status: 200 };
      }
      if (keysPattern.test(path) && req.method === "GET") {
        sandboxJson(res, 200, { keys: [] });
        return { status: 200 };
      }
      if (path.startsWith("/sandbox/")) return handleSandbox(req, res, path);
      const eventApi = eventApiPattern.exec(path);
      if (eventApi?.[1]) {
        const body = req.method === "POST" ? parseJson(await readBody(req)) : null;
        const answer = handleEventApi(ctx, {
          method: req.method ?? "GET",
          readableEventId: decodeURIComponent(eventApi[1]),
          params: url.searchParams,
          headers: req.headers,
          body,
        });
        if (answer.json === undefined) send(res, answer.status, null, answer.headers);
        else
          send(res, answer.status, JSON.stringify(answer.json), {
            ...answer.headers,
            "Content-Type": "application/json; charset=utf-8",
          });
        return { status: answer.status, route: "event-api" };
      }
      throw new DataverseFault(
        404,
        ErrorCodes.resourceNotFound,
        `Nothing at ${path}: the Web API is under /api/data/v9.2/, tokens at /<tenant>/oauth2/v2.0/token.`,
      );
    };
    route()
      .then((entry) =>
        log({
          requestId,
          method: req.method,
          path,
          durationMs: Math.round(performance.now() - started),
          ...entry,
        }),
      )
      .catch((error: unknown) => {
        let fault: DataverseFault;
        if (error instanceof DataverseFault) fault = error;
        else if (error instanceof BodyTooLarge) fault = new DataverseFault(413, "", error.message);
        else
          fault = new DataverseFault(
            500,
            ErrorCodes.unexpected,
            "An unexpected error occurred in the Dataverse stand-in.",
            { innerMessage: String(error) },
          );
        const extra = path.startsWith("/sandbox/") ? sandboxCors(req) : {};
        if (!res.headersSent && !res.destroyed)
          sendFault(res, fault, req, {
            "OData-Version": "4.0",
            "x-ms-service-request-id": requestId,
            ...extra,
          });
        log({
          requestId,
          method: req.method,
          path,
          durationMs: Math.round(performance.now() - started),
          status: fault.status,
          code: fault.code,
          error: fault.status >= 500 ? String(error) : undefined,
        });
      });
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  origin = `http://${host}:${address.port}`;
  tokens = createTokenService({
    store,
    now,
    orgUrl: origin,
    tenantId,
    authorityHost: origin,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
  });
  const users = store.listApplicationUsers();
  const first = users[0];
  if (!first) throw new Error("The Dataverse stand-in has no application user.");

  return {
    url: origin,
    authorityHost: origin,
    tenantId,
    clientId: first.clientId,
    clientSecret: first.clientSecret ?? "",
    scope: `${origin}/.default`,
    applicationUsers: users.map((u) => ({ clientId: u.clientId, clientSecret: u.clientSecret })),
    eventApiUrl: `${origin}/EvtMgmt/api/v2.0/`,
    get eventApiToken() {
      return knobs.eventApiToken;
    },
    seed: (seedOptions) => seedSandbox(ctx, seedOptions),
    register: (request) => registerPurchase(ctx, request),
    state: {
      get: (setName, id) => store.get(setName, id),
      list: (setName) => store.list(setName),
      purchase: snapshot,
      stats,
    },
    now,
    setClock(at) {
      offset = (typeof at === "number" ? at : at.getTime()) - baseNow();
    },
    advance(ms) {
      offset += ms;
    },
    setFaults(partial) {
      Object.assign(faultKnobs, partial);
    },
    setKnobs(partial) {
      Object.assign(knobs, partial);
    },
    setLimits(partial) {
      Object.assign(limits, partial);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
    },
  };
}
