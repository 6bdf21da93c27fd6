// Adapts Node's http server to the fetch-style handler: an IncomingMessage becomes a Web Request
// whose body is the untouched bytes (webhook signatures are computed over them), and a Web
// Response is written back. No port is opened here. Webhooks, hundreds a second in a burst, skip
// the Web Request altogether when the handler offers a direct route (`direct`): headers and the raw
// body in, a plain answer written to the socket. For the other routes the adapter still avoids what
// costs most in a Web Request: a followed abort signal on requests with a body, the body as a Web
// stream (the kit's endpoint reads bodies ahead, prereadBodies), reading a JSON answer back out of
// its Response, an abort on every close.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { DirectRoute, FetchHandler } from "../app";
import { PEER_HEADER } from "./client-key";
import { rememberBody } from "./read-body";
import { errorAnswer, errorResponse, knownText, toResponse } from "./responses";
import type { PlainAnswer } from "./responses";

const BASE = "http://endpoint.invalid";

// Responses that stand for "close the connection without an answer": the stand-ins' fault knobs
// use them to play a network that loses a response after the work was done.
const dropped = new WeakSet<Response>();

/** A Response that makes createNodeListener close the connection instead of answering. */
export function dropConnection(): Response {
  const response = new Response(null, { status: 502 });
  dropped.add(response);
  return response;
}

/** The largest body the adapter reads ahead for the kit's routes (each route has its own, smaller cap). */
export const MAX_PREREAD_BODY_BYTES = 1024 * 1024;

/**
 * The Web Request for a Node request. With `body` (bytes the adapter already read), the Request
 * carries no body stream: the bytes are handed to readBodyCapped (http/read-body.ts) on the side,
 * which is how every route of the kit reads a body. Without it, the body is the untouched stream.
 * Only GET and HEAD requests carry `signal` (a status request held open is let go when the client
 * leaves); following a signal costs a Request more than all the rest of its construction.
 */
export function toWebRequest(req: IncomingMessage, signal: AbortSignal | null, body?: Uint8Array): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  // The peer address is ours to say: whatever a client sent under that name is replaced.
  headers.set(PEER_HEADER, req.socket?.remoteAddress ?? "unknown");
  // The Host header is not trusted to build the URL: only the path and query matter to the routes.
  // A target that is not a path ("*", an absolute URL) becomes "/"; the Request checks the rest.
  const target = req.url ?? "/";
  const url = BASE + (target.startsWith("/") && !target.startsWith("//") ? target : "/");
  const method = (req.method ?? "GET").toUpperCase();
  const hasBody = method !== "GET" && method !== "HEAD";
  const request = new Request(url, {
    method,
    headers,
    ...(signal && !hasBody ? { signal } : {}),
    ...(hasBody && !body ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
  if (hasBody && body) rememberBody(request, body);
  return request;
}

/**
 * Reads a Node request's body, up to `maxBytes`: null when it is larger (the rest is drained, not
 * kept), or when the client stopped sending. Cheaper than the Web stream round trip.
 */
export function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(size > maxBytes ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)),
    );
    // A client that stops sending: "close" before "end" (after "end", resolving again does nothing).
    req.on("error", () => resolve(null));
    req.on("close", () => resolve(null));
  });
}

export async function sendWebResponse(
  res: ServerResponse,
  response: Response,
  method: string,
): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  res.writeHead(response.status, headers);
  if (method === "HEAD" || response.body === null) {
    res.end();
    return;
  }
  // A JSON answer of the kit's own (http/responses.ts) is written from its text, not read back
  // out of the Response's stream.
  const text = knownText(response);
  res.end(text ?? Buffer.from(await response.arrayBuffer()));
}

export interface NodeListenerOptions {
  /**
   * Read request bodies here and hand them to readBodyCapped instead of streaming them through
   * the Request (the kit's endpoint: all its routes read bodies that way). Default false: the
   * Request carries the body, for handlers that call request.text() or request.json().
   */
  prereadBodies?: boolean;
  /**
   * Routes served without a Web Request or Response (KitHandler.direct): given the method and the
   * raw target, the route that takes the request, or null for the handler.
   */
  direct?: (method: string, target: string) => DirectRoute | null;
}

/** A Node request's headers read like a Web Headers' get (Node has lower-cased the names). */
function nodeHeaders(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

/** A body the adapter could not read whole within its cap. */
const unreadBody = (): PlainAnswer =>
  errorAnswer(
    413,
    "PAYLOAD_TOO_LARGE",
    `The request body could not be read whole, or is larger than ${MAX_PREREAD_BODY_BYTES} bytes.`,
  );

/** A route that threw: the details go to onError, never to the caller. */
const internalError = (): PlainAnswer =>
  errorAnswer(500, "INTERNAL", "The endpoint failed to handle the request; try again later.");

/** Reads the body, runs a direct route and writes its answer; nothing Web is built. */
async function answerDirect(
  req: IncomingMessage,
  res: ServerResponse,
  route: DirectRoute,
  onError: (error: unknown) => void,
): Promise<void> {
  let answer: PlainAnswer;
  const body = await readNodeBody(req, MAX_PREREAD_BODY_BYTES);
  if (body === null) {
    answer = unreadBody();
  } else {
    try {
      answer = await route({ headers: nodeHeaders(req), body });
    } catch (error) {
      onError(error);
      answer = internalError();
    }
  }
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/** A Node request listener that runs `handler`; a request Node cannot turn into a Web Request gets a 400. */
export function createNodeListener(
  handler: FetchHandler,
  onError: (error: unknown) => void,
  options: NodeListenerOptions = {},
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const method = (req.method ?? "GET").toUpperCase();
    const direct = options.direct?.(method, req.url ?? "/");
    if (direct) {
      answerDirect(req, res, direct, onError).catch((error: unknown) => {
        onError(error);
        res.destroy();
      });
      return;
    }
    const hasBody = method !== "GET" && method !== "HEAD";
    let controller: AbortController | null = null;
    if (!hasBody) {
      const c = (controller = new AbortController());
      // Only a client that left before its answer aborts (an abort builds an error object).
      res.on("close", () => {
        if (!res.writableFinished) c.abort();
      });
    }
    void (async () => {
      let response: Response;
      try {
        const body =
          options.prereadBodies && hasBody ? await readNodeBody(req, MAX_PREREAD_BODY_BYTES) : undefined;
        response =
          body === null
            ? toResponse(unreadBody())
            : await handler(toWebRequest(req, controller?.signal ?? null, body));
      } catch (error) {
        const badInput = error instanceof TypeError;
        if (!badInput) onError(error);
        response = badInput
          ? errorResponse(400, "BAD_REQUEST", "The request could not be read (bad header or method).")
          : toResponse(internalError());
      }
      if (dropped.has(response)) {
        req.socket.destroy();
        return;
      }
      try {
        await sendWebResponse(res, response, method);
      } catch (error) {
        onError(error);
        res.destroy();
      }
    })();
  };
}
