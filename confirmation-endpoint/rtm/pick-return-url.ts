// Where the shopper goes after the hosted page: the `returnUrl` Dynamics put on the redirect, but
// only when its origin is one of ours. Anything else (missing, not http(s), another origin) falls
// back to the configured default, so the payment route can never be used as an open redirect.

export interface ReturnUrlChoice {
  url: string;
  /** "given": the caller's URL was followed; otherwise why the default was used. */
  source: "given" | "missing" | "invalid" | "foreign_origin";
}

export function pickReturnUrl(
  raw: string | null,
  allowedOrigins: readonly string[],
  fallback: string,
): ReturnUrlChoice {
  if (raw === null || raw.trim() === "") return { url: fallback, source: "missing" };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { url: fallback, source: "invalid" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { url: fallback, source: "invalid" };
  if (url.username !== "" || url.password !== "") return { url: fallback, source: "invalid" };
  const allowed = allowedOrigins.some((origin) => origin.toLowerCase() === url.origin.toLowerCase());
  if (!allowed) return { url: fallback, source: "foreign_origin" };
  url.hash = "";
  return { url: url.toString(), source: "given" };
}
