// The Dataverse stand-in's one fetch-style handler: routes a request to the Web API, the token
// endpoint, OpenID discovery, the Event API or the /sandbox/ routes, maps every failure to
// Dataverse's error body, and logs one line per request (never tokens, secrets or bodies).
import { randomUUID } from "node:crypto";
import type { FetchHandler } from "../../confirmation-endpoint/app";
import type { DataverseRuntime } from "./dataverse-runtime";
import { DataverseFault, ErrorCodes } from "./errors";
import { eventApiPattern, handleEventApi } from "./event-api";
import { readJsonBody } from "./read-json-body";
import { faultResponse, respond } from "./respond";
import { sandboxCors, serveSandboxRoute } from "./serve-sandbox-routes";
import { serveTokenRequest } from "./serve-token-request";
import { serveWebApi, type Answer } from "./serve-web-api";

const apiPattern = /^\/api\/data\/(v9\.[012])\/?(.*)$/;
const tokenPattern = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const openIdPattern = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const keysPattern = /^\/([^/]+)\/discovery\/v2\.0\/keys$/;

function jsonAnswer(rt: DataverseRuntime, request: Request, body: unknown): Answer {
  const response = respond(rt.clock.now, 200, JSON.stringify(body), {
    "Content-Type": "application/json; charset=utf-8",
    ...sandboxCors(request),
  });
  return { response, entry: { status: 200 } };
}

async function serveEventApi(
  rt: DataverseRuntime,
  request: Request,
  readableEventId: string,
): Promise<Answer> {
  const answer = handleEventApi(rt.ctx, {
    method: request.method,
    readableEventId,
    params: new URL(request.url).searchParams,
    headers: Object.fromEntries(request.headers),
    body: request.method === "POST" ? await readJsonBody(request) : null,
  });
  const response =
    answer.json === undefined
      ? respond(rt.clock.now, answer.status, null, answer.headers)
      : respond(rt.clock.now, answer.status, JSON.stringify(answer.json), {
          ...answer.headers,
          "Content-Type": "application/json; charset=utf-8",
        });
  return { response, entry: { status: answer.status, route: "event-api" } };
}

async function route(
  rt: DataverseRuntime,
  request: Request,
  path: string,
  requestId: string,
): Promise<Answer> {
  const method = request.method;
  const api = apiPattern.exec(path);
  if (api?.[1] !== undefined)
    return serveWebApi(rt, request, { version: api[1], rest: api[2] ?? "", requestId });
  const token = tokenPattern.exec(path);
  if (token?.[1] && method === "POST") return serveTokenRequest(rt, request, token[1]);
  const openId = openIdPattern.exec(path);
  if (openId?.[1] && method === "GET")
    return jsonAnswer(rt, request, rt.tokens?.openIdConfiguration(openId[1]));
  if (keysPattern.test(path) && method === "GET") return jsonAnswer(rt, request, { keys: [] });
  if (path.startsWith("/sandbox/")) return serveSandboxRoute(rt, request, path);
  const eventApi = eventApiPattern.exec(path);
  if (eventApi?.[1]) return serveEventApi(rt, request, decodeURIComponent(eventApi[1]));
  throw new DataverseFault(
    404,
    ErrorCodes.resourceNotFound,
    `Nothing at ${path}: the Web API is under /api/data/v9.2/, tokens at /<tenant>/oauth2/v2.0/token.`,
  );
}

function failureAnswer(
  rt: DataverseRuntime,
  request: Request,
  path: string,
  requestId: string,
  error: unknown,
): Answer {
  const fault =
    error instanceof DataverseFault
      ? error
      : new DataverseFault(
          500,
          ErrorCodes.unexpected,
          "An unexpected error occurred in the Dataverse stand-in.",
          {
            innerMessage: String(error),
          },
        );
  const response = faultResponse(rt.clock.now, fault, request, {
    "OData-Version": "4.0",
    "x-ms-service-request-id": requestId,
    ...(path.startsWith("/sandbox/") ? sandboxCors(request) : {}),
  });
  const entry = {
    status: fault.status,
    code: fault.code,
    error: fault.status >= 500 ? String(error) : undefined,
  };
  return { response, entry };
}

export function createDataverseHandler(rt: DataverseRuntime): FetchHandler {
  return async (request) => {
    const started = performance.now();
    const requestId = randomUUID();
    const path = new URL(request.url).pathname;
    let answer: Answer;
    try {
      answer = await route(rt, request, path, requestId);
    } catch (error) {
      answer = failureAnswer(rt, request, path, requestId, error);
    }
    const durationMs = Math.round(performance.now() - started);
    rt.log({ requestId, method: request.method, path, durationMs, ...answer.entry });
    return answer.response;
  };
}
