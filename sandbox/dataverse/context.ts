// What every part of the stand-in shares: the store, the table schema, the clock and the knobs
// a test or benchmark can turn while the server runs.
import type { RecordStore } from "./record-store";
import type { Schema, StandInNames } from "./schema";

export interface Knobs {
  /** false ⇒ msevtmgt_ListDetailedPurchaseInfo is absent (solutions before 1.12.10024): 404 0x8006088a. */
  listDetailedPurchaseInfo: boolean;
  /** "adx" ⇒ only adx_FinalizeExternalRegistrationRequest exists (solutions before 1.13). */
  finalizeActionPrefix: "msevtmgt" | "adx";
  /** How long an outbound purchase can be finalized after it was registered (Dataverse: 50 minutes). */
  purchaseLifetimeMs: number;
  /** RTM payment timeout when the payment provider row has none (minutes). INFERRED default. */
  defaultRtmTimeoutMinutes: number;
  /** Origin of the portal the stand-in's registration route redirects to, e.g. http://127.0.0.1:8080 ("" ⇒ relative URLs). */
  portalUrl: string;
  /** The Event API web application's emApplicationtoken. */
  eventApiToken: string;
  /** Origins the web application accepts (CORS); empty ⇒ any. */
  eventApiOrigins: string[];
  /** RTM purchases stay invisible to Web API reads this long after creation (the asynchronous pipeline); 0 = at once. */
  rtmPurchaseDelayMs: number;
  /** Key of the Event API's answer: "redirectUrl", or "redirectUrl " as Microsoft's sample spells it. */
  eventApiRedirectKey: string;
}

export interface StandInContext {
  store: RecordStore;
  schema: Schema;
  names: StandInNames;
  now: () => number;
  knobs: Knobs;
}

/** Dataverse writes timestamps as UTC ISO without milliseconds. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
