// CORS for the browser-facing routes: only the configured portal origins, echoed back one at a
// time (never "*"), and preflight answered for them alone.

import { errorResponse } from "./responses";

export function corsHeaders(origin: string | null, allowed: readonly string[]): Record<string, string> {
  if (origin === null || !allowed.includes(origin)) return { vary: "Origin" };
  return { "access-control-allow-origin": origin, vary: "Origin" };
}

export function preflightResponse(request: Request, allowed: readonly string[], methods: string): Response {
  const origin = request.headers.get("origin");
  if (origin === null || !allowed.includes(origin)) {
    return errorResponse(
      403,
      "ORIGIN_NOT_ALLOWED",
      "This origin may not call the endpoint; add it to PORTAL_ORIGINS if it is a portal of yours.",
      { vary: "Origin" },
    );
  }
  return new Response(null, {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": `${methods}, OPTIONS`,
      "access-control-allow-headers": "content-type",
      "access-control-max-age": "600",
      vary: "Origin",
    },
  });
}

/** A request with an Origin header must come from an allowed origin; one without (server-side) passes. */
export function isOriginAllowed(request: Request, allowed: readonly string[]): boolean {
  const origin = request.headers.get("origin");
  return origin === null || allowed.includes(origin);
}
