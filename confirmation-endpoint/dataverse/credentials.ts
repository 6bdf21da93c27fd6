// Application-user credentials: a client secret, a certificate (PEM private key + thumbprint), or
// the Azure host's managed identity (no secret at all; managed-identity.ts).
// Turns a certificate into what msal-node wants (unencrypted PKCS#8 PEM, SHA-256 thumbprint
// preferred) and checks it up front, since msal's own error for a missing thumbprint misleads.

import { X509Certificate, createPrivateKey } from "node:crypto";
import { DataverseConfigError } from "./errors";
import type { ManagedIdentityInput } from "./managed-identity";

export interface CertificateCredentialInput {
  /** PEM holding the private key (PKCS#8, PKCS#1 or SEC1; may be encrypted) and optionally the certificate. */
  privateKeyPem: string;
  /** For an encrypted private key. */
  passphrase?: string | undefined;
  /** Hex SHA-256 (64 chars, preferred) or SHA-1 (40 chars) thumbprint; colons and case ignored. */
  thumbprint?: string | undefined;
  /** PEM of the public certificate, when not in `privateKeyPem`; used to compute the thumbprint and for x5c. */
  certificatePem?: string | undefined;
  /** Send the certificate chain (x5c) for subject-name/issuer authentication. */
  sendX5c?: boolean | undefined;
}

/** One application user. clientId/tenantId default to the client's own (unused by a managed identity). */
export type DataverseCredential = { label?: string; clientId?: string; tenantId?: string } & (
  | { clientSecret: string; certificate?: undefined; managedIdentity?: undefined }
  | { certificate: CertificateCredentialInput; clientSecret?: undefined; managedIdentity?: undefined }
  | { managedIdentity: ManagedIdentityInput; clientSecret?: undefined; certificate?: undefined }
);

/** Which of the three kinds a credential is. */
export function credentialKind(
  credential: DataverseCredential,
): "secret" | "certificate" | "managedIdentity" {
  if (credential.managedIdentity !== undefined) return "managedIdentity";
  return credential.clientSecret !== undefined ? "secret" : "certificate";
}

export interface MsalCertificate {
  privateKey: string;
  thumbprintSha256?: string;
  thumbprint?: string;
  x5c?: string;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK =
  /-----BEGIN (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:ENCRYPTED |RSA |EC )?PRIVATE KEY-----/;

function normalizeThumbprint(value: string): string {
  return value.replace(/[:\s]/g, "").toLowerCase();
}

/** Validates a certificate credential and converts it for msal-node. `label` names it in messages. */
export function prepareCertificate(input: CertificateCredentialInput, label: string): MsalCertificate {
  const keyMatch = KEY_BLOCK.exec(input.privateKeyPem);
  if (!keyMatch) {
    throw new DataverseConfigError([
      `${label}: the certificate file holds no PEM private key (expected a "-----BEGIN … PRIVATE KEY-----" block)`,
    ]);
  }
  let privateKey: string;
  try {
    const key = createPrivateKey(
      input.passphrase ? { key: keyMatch[0], passphrase: input.passphrase } : { key: keyMatch[0] },
    );
    privateKey = key.export({ format: "pem", type: "pkcs8" }).toString();
  } catch (error) {
    throw new DataverseConfigError(
      [
        `${label}: the private key cannot be read (${(error as Error).message}); ` +
          "check the PEM and, for an encrypted key, the passphrase",
      ],
      error,
    );
  }
  const certs = [
    ...(input.certificatePem ?? "").matchAll(CERT_BLOCK),
    ...input.privateKeyPem.matchAll(CERT_BLOCK),
  ].map((m) => m[0]);
  const out: MsalCertificate = { privateKey };
  if (input.thumbprint !== undefined && input.thumbprint.trim() !== "") {
    const thumb = normalizeThumbprint(input.thumbprint);
    if (/^[0-9a-f]{64}$/.test(thumb)) out.thumbprintSha256 = thumb;
    else if (/^[0-9a-f]{40}$/.test(thumb)) out.thumbprint = thumb;
    else {
      throw new DataverseConfigError([
        `${label}: the certificate thumbprint must be 64 hex characters (SHA-256, preferred) or 40 (SHA-1); got ${thumb.length} characters`,
      ]);
    }
  } else if (certs[0] !== undefined) {
    out.thumbprintSha256 = normalizeThumbprint(new X509Certificate(certs[0]).fingerprint256);
  } else {
    throw new DataverseConfigError([
      `${label}: a certificate credential needs its thumbprint (DATAVERSE_CERTIFICATE_THUMBPRINT) or the certificate itself in the PEM file`,
    ]);
  }
  if (input.sendX5c) {
    if (certs.length === 0) throw new DataverseConfigError([`${label}: sendX5c needs the certificate PEM`]);
    out.x5c = certs.join("\n");
  }
  return out;
}
