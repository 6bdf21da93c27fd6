// Reads the page configuration that the web template renders on the portal.
//
// The template writes each value into a data-* attribute of the #epg-config element, HTML-escaped
// by Liquid. Attributes rather than a JSON block: the HTML parser decodes the entities for us, and
// no second grammar (JSON string escapes, which would need backslash handling that differs between
// Power Pages' Liquid and liquidjs) can be broken by a hostile setting value.

import { isSitePath } from "../confirmation-endpoint/contract/v1";
import { normalizeGuid } from "./read-purchase-ids";

export interface GatewayConfig {
  /** Base URL of the confirmation endpoint, without trailing slash; "" when the site setting is missing. */
  endpointUrl: string;
  /** Display name of the payment provider, "" when unknown. */
  provider: string;
  /** Who to contact for help (e-mail address, URL or free text), "" when unset. */
  supportContact: string;
  /** Contact id of the signed-in user, null for anonymous registration. */
  userId: string | null;
  /** BCP 47 tag the page speaks and formats money in. */
  locale: string;
  /** Site path of the Event Portal's event page (`/event`); "" when unset or not a plain path. */
  eventPath: string;
  /** Site path of the Event Portal's confirmation page (`/event/confirmation`); "" likewise. */
  confirmationPath: string;
  kitVersion: string;
}

/** Returns a canonical locale tag for `candidate`, or null when it is empty or not a valid tag. */
function canonicalLocale(candidate: string | null | undefined): string | null {
  const value = (candidate ?? "").trim().replace(/_/g, "-");
  if (!value) return null;
  try {
    return Intl.getCanonicalLocales(value)[0] ?? null;
  } catch {
    return null;
  }
}

/** Accepts a path on this site only (the contract's rule), so a link can never lead to another host. */
function cleanSitePath(raw: string): string {
  return isSitePath(raw) ? raw : "";
}

/** Accepts http(s) URLs only and drops a trailing slash; anything else becomes "". */
function cleanEndpointUrl(raw: string): string {
  const value = raw.trim();
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return "";
  } catch {
    return "";
  }
  return value.replace(/\/+$/, "");
}

/**
 * Builds the configuration from the #epg-config element inside `doc`. Missing element or values
 * give empty strings, so the page can say "not set up" instead of failing silently.
 */
export function readConfig(doc: Document): GatewayConfig {
  const node = doc.getElementById("epg-config");
  const get = (name: string): string => (node?.getAttribute(`data-${name}`) ?? "").trim();
  return {
    endpointUrl: cleanEndpointUrl(get("endpoint-url")),
    provider: get("provider"),
    supportContact: get("support-contact"),
    userId: normalizeGuid(get("user-id")),
    locale: canonicalLocale(get("language")) ?? canonicalLocale(doc.documentElement.lang) ?? "en-US",
    eventPath: cleanSitePath(get("event-path")),
    confirmationPath: cleanSitePath(get("confirmation-path")),
    kitVersion: get("kit-version"),
  };
}
