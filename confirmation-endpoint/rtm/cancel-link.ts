// The proof on a real-time journeys cancel link: an HMAC over the purchase, the return URL and an
// expiry, with a server secret. Without it anyone who knows a purchase id (or a cross-site <img>)
// could cancel a shopper's purchase. Several endpoint instances must share the secret
// (RTM_LINK_SECRET); a single instance without one signs with a secret of its own process.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PROCESS_SECRET = randomBytes(32).toString("hex");

function proof(secret: string, purchaseId: string, returnUrl: string, expires: string): string {
  return createHmac("sha256", secret).update(`${purchaseId}\n${returnUrl}\n${expires}`).digest("hex");
}

/** The signed link to /v1/rtm/cancel on `base`, valid until `expiresAt` (epoch ms). */
export function signCancelLink(
  base: string,
  purchaseId: string,
  returnUrl: string,
  expiresAt: number,
  secret: string = PROCESS_SECRET,
): string {
  const url = new URL("/v1/rtm/cancel", base);
  const expires = String(Math.ceil(expiresAt / 1000));
  url.searchParams.set("purchaseId", purchaseId);
  url.searchParams.set("returnUrl", returnUrl);
  url.searchParams.set("expires", expires);
  url.searchParams.set("proof", proof(secret, purchaseId, returnUrl, expires));
  return url.toString();
}

/** True when the link's proof matches its purchase, return URL and expiry, and it has not expired. */
export function verifyCancelLink(
  query: URLSearchParams,
  now: number,
  secret: string = PROCESS_SECRET,
): boolean {
  const purchaseId = query.get("purchaseId") ?? "";
  const returnUrl = query.get("returnUrl") ?? "";
  const expires = query.get("expires") ?? "";
  const given = Buffer.from(query.get("proof") ?? "", "utf8");
  if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < now) return false;
  const expected = Buffer.from(proof(secret, purchaseId, returnUrl, expires), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
