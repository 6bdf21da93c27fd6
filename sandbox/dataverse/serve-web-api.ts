// /api/data/v9.x/… on the wire: bearer check, service protection, injected latency and faults,
// then the pure Web API routes (web-api.ts), answered as JSON or XML with Dataverse's headers.
import { dropConnection } from "../../confirmation-endpoint/http/node-adapter";
import type { DataverseRuntime } from "./dataverse-runtime";
import { DataverseFault } from "./errors";
import { readJsonBody } from "./read-json-body";
import { faultResponse, respond } from "./respond";
import type { BearerCheck } from "./token-service";
import { firstSegment, handleWebApi, type ApiResult } from "./web-api";

export interface Answer {
  response: Response;
  /** Fields for the request's log line. */
  entry: Record<string, unknown>;
}

const notReady: BearerCheck = { ok: false, reason: "invalid", message: "Not ready." };

function unauthorized(
  rt: DataverseRuntime,
  request: Request,
  auth: BearerCheck & { ok: false },
  headers: Record<string, string>,
): Answer {
  rt.stats.unauthorized++;
  const ticket = auth.reason === "expired" ? "ExpiredAuthTicket" : "InvalidAuthTicket";
  // INFERRED: Dataverse's 401 body is undocumented; the WWW-Authenticate challenge is what clients use.
  const fault = new DataverseFault(401, "", `${ticket}: ${auth.message}`);
  const response = faultResponse(rt.clock.now, fault, request, {
    ...headers,
    "WWW-Authenticate": `Bearer authorization_uri=${rt.origin}/${rt.tenantId}/oauth2/authorize, resource_id=${rt.origin}/`,
  });
  return { response, entry: { status: 401, reason: auth.reason } };
}

function resultResponse(rt: DataverseRuntime, result: ApiResult, headers: Record<string, string>): Response {
  const out = { ...headers, ...result.headers };
  if (result.xml !== undefined)
    return respond(rt.clock.now, result.status, result.xml, { ...out, "Content-Type": "application/xml" });
  if (result.json !== undefined)
    return respond(rt.clock.now, result.status, JSON.stringify(result.json), {
      ...out,
      "Content-Type": "application/json; odata.metadata=minimal",
    });
  return respond(rt.clock.now, result.status, null, out);
}

export async function serveWebApi(
  rt: DataverseRuntime,
  request: Request,
  api: { version: string; rest: string; requestId: string },
): Promise<Answer> {
  rt.stats.apiRequests++;
  const headers: Record<string, string> = {
    "OData-Version": "4.0",
    "x-ms-service-request-id": api.requestId,
    REQ_ID: api.requestId,
    "Cache-Control": "no-cache",
  };
  const auth = rt.tokens?.checkBearer(request.headers.get("authorization") ?? undefined) ?? notReady;
  if (!auth.ok) return unauthorized(rt, request, auth, headers);
  const admission = rt.protection.admit(auth.clientId);
  Object.assign(headers, rt.protection.remaining(auth.clientId));
  try {
    if (rt.faultKnobs.latencyMs > 0) await new Promise((r) => setTimeout(r, rt.faultKnobs.latencyMs));
    const segment = firstSegment(api.rest);
    rt.faults.before(segment);
    const result = handleWebApi(
      rt.ctx,
      {
        method: request.method,
        path: api.rest,
        params: new URL(request.url).searchParams,
        headers: Object.fromEntries(request.headers),
        body: await readJsonBody(request),
        base: `${rt.origin}/api/data/${api.version}`,
      },
      auth,
    );
    if (request.method === "POST" && result.status < 300)
      rt.stats.actionCalls[segment] = (rt.stats.actionCalls[segment] ?? 0) + 1;
    if (result.status < 300 && request.method !== "GET" && rt.faults.dropAfter(segment))
      return { response: dropConnection(), entry: { status: "dropped", clientId: auth.clientId } };
    return {
      response: resultResponse(rt, result, headers),
      entry: { status: result.status, clientId: auth.clientId },
    };
  } catch (error) {
    if (!(error instanceof DataverseFault)) throw error;
    return {
      response: faultResponse(rt.clock.now, error, request, headers),
      entry: { status: error.status, code: error.code, clientId: auth.clientId },
    };
  } finally {
    // A taken execution time: the answer waits until it has passed, whatever the handling took.
    const rest = admission.remainingMs();
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    // The request counts as running until its answer is ready. (Not request.signal: a Request that
    // is garbage-collected never passes on its connection's abort, and the slot would stay taken.)
    admission.release();
  }
}
