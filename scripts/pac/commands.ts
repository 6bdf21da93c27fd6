// The pac command lines, built exactly as @microsoft/powerplatform-cli-wrapper builds them
// (`paportal` verbs, flag order, `--cloud` last on auth), plus the kit's named auth profile so the
// deploy can delete only the profile it made.

/** The service-principal (or user) variants `pac auth create` accepts. */
export type PacCredentials =
  | { kind: "client-secret"; tenantId: string; appId: string; clientSecret: string }
  | {
      kind: "certificate";
      tenantId: string;
      appId: string;
      certificatePath: string;
      certificatePassword?: string;
    }
  | { kind: "managed-identity"; appId?: string }
  | { kind: "federated"; tenantId: string; appId: string; provider: "GitHub" | "AzureDevOps" };

export interface SecretHandling {
  /**
   * Where the client secret goes. "env": only PAC_CLI_SPN_SECRET in pac's environment, never on the
   * command line (the default; the wrapper sets the same variable). "argv": also `--clientSecret`
   * in pac's `data:` base64 form, for pac versions that do not read the variable.
   */
  clientSecret: "env" | "argv";
}

export interface AuthCommand {
  args: string[];
  /** Variables added to pac's environment for this call only. */
  env: Record<string, string>;
}

export function authCreateCommand(input: {
  environmentUrl: string;
  credentials: PacCredentials;
  profileName: string;
  cloud: string;
  secretHandling: SecretHandling;
}): AuthCommand {
  const args = ["auth", "create", "--environment", input.environmentUrl];
  const env: Record<string, string> = {};
  const c = input.credentials;
  switch (c.kind) {
    case "client-secret":
      args.push("--tenant", c.tenantId, "--applicationId", c.appId);
      env.PAC_CLI_SPN_SECRET = c.clientSecret;
      if (input.secretHandling.clientSecret === "argv") {
        args.push(
          "--clientSecret",
          `data:text/plain;base64,${Buffer.from(c.clientSecret, "utf8").toString("base64")}`,
        );
      }
      break;
    case "certificate":
      args.push(
        "--tenant",
        c.tenantId,
        "--applicationId",
        c.appId,
        "--certificateDiskPath",
        c.certificatePath,
      );
      if (c.certificatePassword) {
        args.push(
          "--certificatePassword",
          `data:text/plain;base64,${Buffer.from(c.certificatePassword, "utf8").toString("base64")}`,
        );
      }
      break;
    case "managed-identity":
      args.push("--managedIdentity");
      if (c.appId) args.push("--applicationId", c.appId);
      break;
    case "federated":
      args.push("--applicationId", c.appId, "--tenant", c.tenantId);
      args.push(c.provider === "AzureDevOps" ? "--azureDevOpsFederated" : "--githubFederated");
      break;
  }
  args.push("--cloud", input.cloud || "Public", "--name", input.profileName);
  return { args, env };
}

export function authDeleteCommand(profileName: string): string[] {
  return ["auth", "delete", "--name", profileName];
}

export function orgWhoCommand(): string[] {
  return ["org", "who"];
}

export function downloadCommand(input: { path: string; websiteId: string; modelVersion: string }): string[] {
  return [
    "paportal",
    "download",
    "--path",
    input.path,
    "--websiteId",
    input.websiteId,
    "--overwrite",
    "true",
    "--modelVersion",
    input.modelVersion,
  ];
}

export function uploadCommand(input: {
  path: string;
  deploymentProfile?: string | undefined;
  modelVersion: string;
}): string[] {
  const args = ["paportal", "upload", "--path", input.path];
  if (input.deploymentProfile) args.push("--deploymentProfile", input.deploymentProfile);
  args.push("--modelVersion", input.modelVersion);
  return args;
}

/** `pac org who` prints "Environment ID: <guid>" among other lines. */
export function parseEnvironmentId(lines: readonly string[]): string | null {
  for (const line of lines) {
    const match = /Environment\s*ID\s*:\s*([0-9a-f-]{36})/i.exec(line);
    if (match?.[1]) return match[1].toLowerCase();
  }
  return null;
}

/** What the environment offers, reduced to exactly one credential variant (or every problem). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): {
  credentials?: PacCredentials;
  problems: string[];
} {
  const tenantId = env.DATAVERSE_TENANT_ID?.trim();
  const appId = env.DATAVERSE_CLIENT_ID?.trim();
  const secret = env.DATAVERSE_CLIENT_SECRET;
  const certificatePath = env.PAC_CERTIFICATE_PATH?.trim();
  const managed = /^(1|true|yes)$/i.test(env.PAC_MANAGED_IDENTITY ?? "");
  const federated = env.PAC_FEDERATED?.trim();
  const variants = [
    secret ? "client secret" : null,
    certificatePath ? "certificate" : null,
    managed ? "managed identity" : null,
    federated ? "federated" : null,
  ].filter((v): v is string => v !== null);
  const valid =
    "Set exactly one of: DATAVERSE_CLIENT_SECRET (with DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID); PAC_CERTIFICATE_PATH to a .pfx " +
    "(+ PAC_CERTIFICATE_PASSWORD, with the tenant and client ids); PAC_MANAGED_IDENTITY=true; PAC_FEDERATED=GitHub|AzureDevOps (with the tenant and client ids).";
  const problems: string[] = [];
  if (variants.length === 0) return { problems: [`No pac credentials in the environment. ${valid}`] };
  if (variants.length > 1)
    return { problems: [`Several pac credentials are set (${variants.join(", ")}). ${valid}`] };
  const needIds = !managed;
  if (needIds && !tenantId)
    problems.push("DATAVERSE_TENANT_ID is not set (the app registration's tenant id).");
  if (needIds && !appId)
    problems.push("DATAVERSE_CLIENT_ID is not set (the app registration's application id).");
  if (federated && federated !== "GitHub" && federated !== "AzureDevOps")
    problems.push(`PAC_FEDERATED must be GitHub or AzureDevOps, not "${federated}".`);
  if (problems.length > 0) return { problems };
  if (secret)
    return {
      credentials: { kind: "client-secret", tenantId: tenantId!, appId: appId!, clientSecret: secret },
      problems,
    };
  if (certificatePath) {
    const password = env.PAC_CERTIFICATE_PASSWORD;
    return {
      credentials: {
        kind: "certificate",
        tenantId: tenantId!,
        appId: appId!,
        certificatePath,
        ...(password ? { certificatePassword: password } : {}),
      },
      problems,
    };
  }
  if (managed) return { credentials: { kind: "managed-identity", ...(appId ? { appId } : {}) }, problems };
  return {
    credentials: {
      kind: "federated",
      tenantId: tenantId!,
      appId: appId!,
      provider: federated as "GitHub" | "AzureDevOps",
    },
    problems,
  };
}

/** The secret values of a credential, to redact from everything pac prints. */
export function secretsOf(credentials: PacCredentials): string[] {
  if (credentials.kind === "client-secret")
    return [credentials.clientSecret, Buffer.from(credentials.clientSecret, "utf8").toString("base64")];
  if (credentials.kind === "certificate" && credentials.certificatePassword)
    return [credentials.certificatePassword];
  return [];
}
