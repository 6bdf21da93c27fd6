// Adapts Node's http server to the fetch-style handler: an IncomingMessage becomes a Web Request
// whose body is the untouched byte stream (webhook signatures are computed over it), and a Web
// Response is written back. No port is opened here.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { FetchHandler } from "../app";
import { PEER_HEADER } from "./client-key";
import { errorResponse } from "./responses";

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

export function toWebRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  // The peer address is ours to say: whatever a client sent under that name is replaced.
  headers.set(PEER_HEADER, req.socket?.remoteAddress ?? "unknown");
  // The Host header is not trusted to build the URL: only the path and query matter to the routes.
  let url: string;
  try {
    url = new URL(req.url ?? "/", BASE).toString();
  } catch {
    url = `${BASE}/`;
  }
  const method = (req.method ?? "GET").toUpperCase();
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
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
  const body = Buffer.from(await response.arrayBuffer());
  res.end(body);
}

/** A Node request listener that runs `handler`; a request Node cannot turn into a Web Request gets a 400. */
export function createNodeListener(handler: FetchHandler, onError: (error: unknown) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    void (async () => {
      let response: Response;
      try {
        response = await handler(toWebRequest(req, controller.signal));
      } catch (error) {
        const badInput = error instanceof TypeError;
        if (!badInput) onError(error);
        response = badInput
          ? errorResponse(400, "BAD_REQUEST", "The request could not be read (bad header or method).")
          : errorResponse(500, "INTERNAL", "The endpoint failed to handle the request; try again later.");
      }
      if (dropped.has(response)) {
        req.socket.destroy();
        return;
      }
      try {
        await sendWebResponse(res, response, (req.method ?? "GET").toUpperCase());
      } catch (error) {
        onError(error);
        res.destroy();
      }
    })();
  };
}
