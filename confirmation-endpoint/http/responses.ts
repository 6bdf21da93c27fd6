// Answers: JSON bodies, and the one error shape every route answers with. A route builds a plain
// answer (status, headers, text); the Web host turns it into a Response, the Node host's direct
// routes (http/node-adapter.ts) write it to the socket as it is.

/** An answer before it is a Web Response: what a direct route returns. */
export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// The text of each JSON answer built here, so the Node adapter writes it without reading the
// Response's body stream back (the Response keeps its own copy for in-process callers and tests).
const texts = new WeakMap<Response, string>();

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): PlainAnswer {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

export function errorAnswer(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): PlainAnswer {
  return jsonAnswer(status, { error: { code, message } }, headers);
}

/** The Web Response for a plain answer. */
export function toResponse(answer: PlainAnswer): Response {
  const response = new Response(answer.body, { status: answer.status, headers: answer.headers });
  texts.set(response, answer.body);
  return response;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return toResponse(jsonAnswer(status, body, headers));
}

/** The body text of a Response made here whose body nobody has read; else null. */
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
  return toResponse(errorAnswer(status, code, message, headers));
}
