// The admin commands' Dataverse connection, from the same environment variables the endpoint reads
// (DATAVERSE_URL, DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID, and exactly one of DATAVERSE_CLIENT_SECRET
// or DATAVERSE_CERTIFICATE_PATH + DATAVERSE_CERTIFICATE_THUMBPRINT), through the kit's one client.
import { readFileSync } from "node:fs";
import { createDataverseClient, type DataverseClient, type DataverseCredential } from "../../confirmation-endpoint/dataverse";
import { UsageError } from "./cli";

export interface DataverseSettings {
  url: string;
  tenantId: string;
  clientId: string;
  credential: DataverseCredential;
  authorityHost: string | undefined;
}

const VALID_SETS = "Set exactly one of: DATAVERSE_CLIENT_SECRET, or DATAVERSE_CERTIFICATE_PATH + DATAVERSE_CERTIFICATE_THUMBPRINT.";

/** Every problem at once, as one UsageError, or the settings. */
export function dataverseSettingsFromEnv(env: NodeJS.ProcessEnv, urlOverride?: string): DataverseSettings {
  const problems: string[] = [];
  const url = (urlOverride ?? env.DATAVERSE_URL ?? "").trim().replace(/\/+$/, "");
  if (!url) problems.push("DATAVERSE_URL is not set (e.g. https://contoso.crm.dynamics.com).");
  else if (!/^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/i.test(url)) problems.push(`DATAVERSE_URL must be an https URL, got "${url}".`);
  const tenantId = env.DATAVERSE_TENANT_ID?.trim() ?? "";
  const clientId = env.DATAVERSE_CLIENT_ID?.trim() ?? "";
  if (!tenantId) problems.push("DATAVERSE_TENANT_ID is not set (the app registration's tenant).");
  if (!clientId) problems.push("DATAVERSE_CLIENT_ID is not set (the app registration's application id).");
  const secret = env.DATAVERSE_CLIENT_SECRET;
  const certPath = env.DATAVERSE_CERTIFICATE_PATH?.trim();
  const thumbprint = env.DATAVERSE_CERTIFICATE_THUMBPRINT?.trim();
  let credential: DataverseCredential | undefined;
  if (secret && (certPath || thumbprint)) problems.push(`Both a client secret and a certificate are set. ${VALID_SETS}`);
  else if (secret) credential = { clientSecret: secret };
  else if (certPath && thumbprint) {
    try {
      credential = { certificate: { privateKeyPem: readFileSync(certPath, "utf8"), thumbprint } };
    } catch (error) {
      problems.push(`DATAVERSE_CERTIFICATE_PATH: cannot read ${certPath} (${(error as Error).message}).`);
    }
  } else if (certPath || thumbprint) problems.push(`A certificate needs both its path and its thumbprint. ${VALID_SETS}`);
  else problems.push(`No Dataverse credential is set. ${VALID_SETS}`);
  if (problems.length > 0 || !credential) throw new UsageError(problems.join("\n"));
  return { url, tenantId, clientId, credential, authorityHost: env.DATAVERSE_AUTHORITY_HOST?.trim() || undefined };
}

export function connectDataverse(settings: DataverseSettings): DataverseClient {
  return createDataverseClient({
    url: settings.url,
    tenantId: settings.tenantId,
    clientId: settings.clientId,
    credentials: [settings.credential],
    authorityHost: settings.authorityHost,
    maxAttempts: 3,
  });
}
