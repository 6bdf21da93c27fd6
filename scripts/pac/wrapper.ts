// When @microsoft/powerplatform-cli-wrapper is installed (it is published to GitHub Packages only),
// the deploy hands download and upload to it with the same parameters the kit's own runner uses.
// The wrapper signs in and out around each action itself (and its sign-out clears every pac
// profile on the machine), so the deploy skips its own auth steps on that path.
import type { PacCredentials } from "./commands";

export const WRAPPER_PACKAGE = "@microsoft/powerplatform-cli-wrapper";

interface HostParameterEntry {
  readonly name: string;
  readonly required: boolean;
  readonly defaultValue?: boolean | string;
}

export interface WrapperHost {
  name: string;
  getInput(entry: HostParameterEntry): string | undefined;
  getArtifactStore(): { getTempFolder(): string; upload(name: string, files: string[]): Promise<void> };
}

export interface WrapperRunnerParameters {
  logger: {
    log(...a: string[]): void;
    debug(...a: string[]): void;
    warn(...a: string[]): void;
    error(...a: string[]): void;
  };
  agent: string;
  workingDir: string;
  runnersDir: string;
  pacPath?: string;
}

type WrapperCredentials =
  | {
      appId: string;
      clientSecret: string;
      tenantId: string;
      cloudInstance: string;
      scheme: string;
      encodeSecret?: boolean;
    }
  | {
      appId: string;
      tenantId: string;
      cloudInstance: string;
      scheme: string;
      federationProvider: "AzureDevOps" | "GitHub";
    };

export interface WrapperModule {
  downloadPaportal(
    params: Record<string, unknown>,
    runner: WrapperRunnerParameters,
    host: WrapperHost,
  ): Promise<void>;
  uploadPaportal(
    params: Record<string, unknown>,
    runner: WrapperRunnerParameters,
    host: WrapperHost,
  ): Promise<void>;
}

/** The wrapper if it is installed and has both actions; null otherwise. */
export async function loadWrapper(
  importer: (name: string) => Promise<unknown> = (name) => import(name),
): Promise<WrapperModule | null> {
  try {
    const mod = (await importer(WRAPPER_PACKAGE)) as Partial<WrapperModule> & {
      default?: Partial<WrapperModule>;
    };
    const actions = typeof mod.uploadPaportal === "function" ? mod : mod.default;
    return actions &&
      typeof actions.uploadPaportal === "function" &&
      typeof actions.downloadPaportal === "function"
      ? (actions as WrapperModule)
      : null;
  } catch {
    return null;
  }
}

/** The wrapper's credential shape, or null for a variant it does not take (certificates). */
export function toWrapperCredentials(credentials: PacCredentials, cloud: string): WrapperCredentials | null {
  switch (credentials.kind) {
    case "client-secret":
      return {
        appId: credentials.appId,
        clientSecret: credentials.clientSecret,
        tenantId: credentials.tenantId,
        cloudInstance: cloud,
        scheme: "ClientSecret",
        encodeSecret: true,
      };
    case "managed-identity":
      return {
        appId: credentials.appId ?? "",
        clientSecret: "",
        tenantId: "",
        cloudInstance: cloud,
        scheme: "ManagedServiceIdentity",
      };
    case "federated":
      return {
        appId: credentials.appId,
        tenantId: credentials.tenantId,
        cloudInstance: cloud,
        scheme: "WorkloadIdentityFederation",
        federationProvider: credentials.provider,
      };
    case "certificate":
      return null;
  }
}

/** A host whose inputs are fixed values: the wrapper asks for each parameter by name. */
export function createFixedHost(values: Record<string, string | undefined>, tempFolder: string): WrapperHost {
  return {
    name: "event-portal-payment-gateway-kit",
    getInput: (entry) => {
      const value = values[entry.name];
      if (value !== undefined && value !== "") return value;
      if (entry.required) throw new Error(`Required ${entry.name} not set`);
      return typeof entry.defaultValue === "string"
        ? entry.defaultValue
        : entry.defaultValue === undefined
          ? undefined
          : String(entry.defaultValue);
    },
    getArtifactStore: () => ({ getTempFolder: () => tempFolder, upload: async () => undefined }),
  };
}

const entry = (name: string, required = false): HostParameterEntry => ({ name, required });

export function downloadParameters(input: {
  credentials: WrapperCredentials;
  environmentUrl: string;
}): Record<string, unknown> {
  return {
    credentials: input.credentials,
    environmentUrl: input.environmentUrl,
    path: entry("download-path", true),
    websiteId: entry("website-id", true),
    overwrite: entry("overwrite"),
    excludeEntities: entry("exclude-entities"),
    modelVersion: entry("model-version"),
  };
}

export function uploadParameters(input: {
  credentials: WrapperCredentials;
  environmentUrl: string;
}): Record<string, unknown> {
  return {
    credentials: input.credentials,
    environmentUrl: input.environmentUrl,
    path: entry("upload-path", true),
    deploymentProfile: entry("deployment-profile"),
    modelVersion: entry("model-version"),
  };
}
