// Reads a request body as UTF-8 text up to a size limit, for the sandbox's own servers. A larger
// body is read to its end and dropped, so the caller can still answer 413 on an intact connection.
import type { IncomingMessage } from "node:http";

/** The body as text, or null when it is larger than `maxBytes`. */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size <= maxBytes) chunks.push(buffer);
  }
  return size > maxBytes ? null : Buffer.concat(chunks).toString("utf8");
}
