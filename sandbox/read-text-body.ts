// The sandbox servers' body reader: the endpoint's capped byte reader, as UTF-8 text, with "too
// large" as null so each stand-in answers it in its own service's error shape.
import { HttpError } from "../confirmation-endpoint/errors";
import { readBodyCapped } from "../confirmation-endpoint/http/read-body";

/** The body as text ("" when there is none), or null when it is larger than `maxBytes`. */
export async function readTextBody(request: Request, maxBytes: number): Promise<string | null> {
  try {
    return new TextDecoder().decode(await readBodyCapped(request, maxBytes));
  } catch (error) {
    if (error instanceof HttpError && error.status === 413) return null;
    throw error;
  }
}
