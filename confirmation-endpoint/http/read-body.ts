// Read a request body as raw bytes (signatures are computed over them), refusing anything over
// `maxBytes` before it is buffered whole.

import { HttpError } from "../errors";

// Bodies the Node adapter read ahead (createNodeListener's prereadBodies), by their Request.
const preread = new WeakMap<Request, Uint8Array>();

/** Hands `body` to readBodyCapped for `request` (whose own body is then empty). */
export function rememberBody(request: Request, body: Uint8Array): void {
  preread.set(request, body);
}

/** The 413 for a body over `maxBytes`. */
export function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    "PAYLOAD_TOO_LARGE",
    `The request body is larger than ${maxBytes} bytes; send a smaller body.`,
  );
}

export async function readBodyCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  const known = preread.get(request);
  if (known) {
    if (known.byteLength > maxBytes) throw tooLarge(maxBytes);
    return known;
  }
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    throw tooLarge(maxBytes);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let part: ReadableStreamReadResult<Uint8Array>;
    try {
      part = await reader.read();
    } catch (error) {
      throw new HttpError(
        400,
        "BODY_UNREADABLE",
        "The request body could not be read; send it again.",
        error,
      );
    }
    if (part.done) break;
    size += part.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(part.value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Parse a body as JSON or throw a 400 that says so. */
export function parseJsonBody(body: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch (error) {
    throw new HttpError(
      400,
      "INVALID_JSON",
      "The request body is not UTF-8 text; send a JSON object.",
      error,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(
      400,
      "INVALID_JSON",
      "The request body is not valid JSON; send a JSON object.",
      error,
    );
  }
}
