// Basic authentication on the webhook URL, as configured for the webhook in Adyen's Customer Area.
// Optional: when the kit has no user name set, the header is not read. Compared in constant time
// over fixed-length digests, so neither the length nor the content of the secret leaks.

import { createHash, timingSafeEqual } from "node:crypto";

export interface BasicAuthCredentials {
  username: string;
  password: string;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** True when `header` (the Authorization header) carries exactly these credentials. */
export function checkBasicAuth(header: string | null, expected: BasicAuthCredentials): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? "");
  const given = match?.[1] ? Buffer.from(match[1], "base64").toString("utf8") : "";
  const wanted = `${expected.username}:${expected.password}`;
  return timingSafeEqual(digest(given), digest(wanted)) && match !== null;
}
