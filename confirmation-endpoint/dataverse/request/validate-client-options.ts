// The client's settings checked at construction: every problem listed at once, so one restart fixes
// them all.

import type { DataverseClientOptions } from "../dataverse-client";

function isLoopback(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]";
}

function checkUrl(name: string, value: string, example: string, problems: string[]): void {
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
      problems.push(`${name} must be https (plain http only on 127.0.0.1/localhost); got ${url.protocol}`);
    }
  } catch {
    problems.push(`${name} is not a URL: "${value}"${example}`);
  }
}

function checkCredentials(options: DataverseClientOptions, problems: string[]): void {
  const signsInToEntra = options.credentials.filter((c) => c.managedIdentity === undefined);
  if (!options.clientId?.trim() && signsInToEntra.some((c) => !c.clientId)) {
    problems.push("clientId is missing (DATAVERSE_CLIENT_ID)");
  }
  if (options.credentials.length === 0) {
    problems.push(
      "no credential: give a client secret, a certificate or a managed identity for at least one application user",
    );
  }
  options.credentials.forEach((credential, i) => {
    const hasSecret = typeof credential.clientSecret === "string" && credential.clientSecret !== "";
    const hasCert = credential.certificate !== undefined;
    const hasIdentity = credential.managedIdentity !== undefined;
    if ([hasSecret, hasCert, hasIdentity].filter(Boolean).length !== 1) {
      problems.push(
        `credential ${i + 1}: give exactly one of a client secret, a certificate or a managed identity`,
      );
    }
  });
}

export function validateClientOptions(options: DataverseClientOptions): string[] {
  const problems: string[] = [];
  checkUrl("url", options.url, " (expected https://<org>.crm.dynamics.com)", problems);
  if (options.authorityHost !== undefined) checkUrl("authorityHost", options.authorityHost, "", problems);
  const needsTenant = options.credentials.some((c) => c.managedIdentity === undefined && !c.tenantId);
  if (needsTenant && !options.tenantId?.trim()) problems.push("tenantId is missing (DATAVERSE_TENANT_ID)");
  checkCredentials(options, problems);
  if (options.apiVersion !== undefined && !/^v\d+\.\d+$/.test(options.apiVersion)) {
    problems.push(`apiVersion must look like v9.2; got "${options.apiVersion}"`);
  }
  for (const key of ["maxConcurrency", "timeoutMs", "maxAttempts"] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      problems.push(`${key} must be a positive integer`);
  }
  const refresh = options.sharedHoldRefreshMs;
  if (refresh !== undefined && (!Number.isInteger(refresh) || refresh < 0))
    problems.push("sharedHoldRefreshMs must be a whole number of milliseconds, 0 or more");
  return problems;
}
