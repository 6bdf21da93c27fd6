// Request bodies of the Dataverse stand-in: JSON up to 1 MiB, and "" means no body at all.
import { readTextBody } from "../read-text-body";
import { DataverseFault, ErrorCodes } from "./errors";

const MAX_BODY_BYTES = 1_048_576;

/** The body's text; a 413 fault beyond the limit. */
export async function readBodyText(request: Request): Promise<string> {
  const text = await readTextBody(request, MAX_BODY_BYTES);
  if (text === null) throw new DataverseFault(413, "", `Request body larger than ${MAX_BODY_BYTES} bytes.`);
  return text;
}

/** The parsed body, undefined when empty, or a 400 fault when it is not JSON. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await readBodyText(request);
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
