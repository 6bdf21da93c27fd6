// Response helpers: JSON bodies, and the one error shape every route answers with.

// The text of each JSON answer built here, so the Node adapter writes it without reading the
// Response's body stream back (the Response keeps its own copy for in-process callers and tests).
const texts = new WeakMap<Response, string>();

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  const response = new Response(text, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
  texts.set(response, text);
  return response;
}

/** The body text of a Response made by jsonResponse whose body nobody has read; else null. */
export function knownText(response: Response): string | null {
  const text = texts.get(response);
  return text !== undefined && !response.bodyUsed ? text : null;
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { error: { code, message } }, headers);
}
