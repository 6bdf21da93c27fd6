// Reads the Event API's answer to a registration. Microsoft's published sample spells the key
// `"redirectUrl "` with a trailing space (most likely a typo that real answers may or may not
// share), so the key is matched after trimming and without regard to case.

import { KitError } from "../../common/kit-error";
export class RedirectUrlMissingError extends KitError {
  override readonly name = "RedirectUrlMissingError";
  readonly code = "REDIRECT_URL_MISSING";

  constructor(keys: string[]) {
    super(
      `The Event API answer has no redirectUrl (keys: ${keys.join(", ") || "none"}); check that the event's passes have the payment gateway enabled and a payment provider chosen.`,
    );
  }
}

/** The redirect URL from an Event API registration answer; throws RedirectUrlMissingError when there is none. */
export function readRedirectUrl(answer: unknown): string {
  const record = answer !== null && typeof answer === "object" ? (answer as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(record)) {
    if (key.trim().toLowerCase() === "redirecturl" && typeof value === "string" && value.trim() !== "")
      return value.trim();
  }
  throw new RedirectUrlMissingError(Object.keys(record).map((k) => JSON.stringify(k)));
}
