// The URLs a provider sends the shopper back to: the portal page that started checkout, with a
// marker so the page knows the shopper came back (and how). The marker proves nothing; the page
// polls the status route, which only the verified webhook moves.

/** Query parameter added to the portal page's URL; values "success" or "cancel". */
export const RETURN_MARKER_PARAM = "gatewayReturn";

export function withReturnMarker(returnUrl: string, outcome: "success" | "cancel"): string {
  const url = new URL(returnUrl);
  url.searchParams.set(RETURN_MARKER_PARAM, outcome);
  url.hash = "";
  return url.toString();
}

/** The confirmation page of the classic Event Portal for this event. */
export function confirmationUrlFor(portalOrigin: string, readableEventId: string): string {
  const url = new URL("/event/confirmation", portalOrigin);
  url.searchParams.set("id", readableEventId);
  return url.toString();
}
