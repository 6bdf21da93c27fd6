// The URLs a provider sends the shopper back to: the portal page that started checkout, with the
// v1 return marker so the page knows the shopper came back (and how). The marker proves nothing;
// the page polls the status route, which only the verified webhook moves. The rule itself lives
// in the v1 contract, which the gateway page reads with the same code.

export { withReturnMarker } from "../contract/v1";
