// Where the local check gets PayPal's signing certificate: the URL in PAYPAL-CERT-URL, but only
// when it is https on paypal.com or a subdomain of it (or an origin the deployment allows on
// purpose, which only the sandbox does). Anything else is refused before a request is made, so a
// forged header cannot make the endpoint fetch an attacker's URL. Certificates are cached by URL.

import { X509Certificate } from "node:crypto";
import { WebhookVerificationError } from "../errors";

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface CertSourceOptions {
  fetch: FetchLike;
  /** Extra exact origins (scheme://host[:port]) allowed besides https PayPal hosts; empty in production. */
  allowedOrigins: readonly string[];
  /** Certificates kept at most (oldest dropped first). */
  maxEntries?: number;
  timeoutMs?: number;
}

export interface CertSource {
  certificate(url: string, now: Date): Promise<X509Certificate>;
}

/** True when the URL may be fetched: https on paypal.com / *.paypal.com, default port, or allowed. */
export function isAllowedCertUrl(raw: string, allowedOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "") return false;
  if (allowedOrigins.includes(url.origin)) return true;
  const host = url.hostname.toLowerCase();
  return (
    url.protocol === "https:" && url.port === "" && (host === "paypal.com" || host.endsWith(".paypal.com"))
  );
}

export function createCertSource(options: CertSourceOptions): CertSource {
  const cache = new Map<string, X509Certificate>();
  const maxEntries = options.maxEntries ?? 16;

  async function download(url: string): Promise<X509Certificate> {
    let pem: string;
    try {
      const response = await options.fetch(url, {
        redirect: "error",
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      pem = await response.text();
      return new X509Certificate(pem);
    } catch (error) {
      throw new WebhookVerificationError(
        "BAD_SIGNATURE",
        `PayPal signing certificate could not be read from ${url} (${(error as Error).message}).`,
        error,
      );
    }
  }

  return {
    async certificate(url, now) {
      if (!isAllowedCertUrl(url, options.allowedOrigins)) {
        throw new WebhookVerificationError(
          "BAD_SIGNATURE",
          "PayPal webhook names a certificate URL that is not https on a paypal.com host; it was not fetched.",
        );
      }
      let cert = cache.get(url);
      if (!cert) {
        cert = await download(url);
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
        cache.set(url, cert);
      }
      const at = now.getTime();
      if (at < Date.parse(cert.validFrom) || at > Date.parse(cert.validTo)) {
        cache.delete(url);
        throw new WebhookVerificationError(
          "BAD_SIGNATURE",
          `PayPal signing certificate at ${url} is not valid now.`,
        );
      }
      return cert;
    },
  };
}
