// The admin commands' Dataverse connection: the same environment variables the endpoint reads
// (readDataverseEnv), through the kit's one Dataverse client. All three credential kinds work; a
// managed identity (DATAVERSE_MANAGED_IDENTITY) only where one exists, i.e. when the command runs
// on the Azure host itself (App Service SSH, a Container Apps console), not on a workstation.
import { readFileSync } from "node:fs";
import {
  createDataverseClient,
  readDataverseEnv,
  type DataverseClient,
} from "../../confirmation-endpoint/dataverse";
import type { DataverseClientOptions } from "../../confirmation-endpoint/dataverse/dataverse-client";
import { UsageError } from "./cli";

export type DataverseSettings = NonNullable<ReturnType<typeof readDataverseEnv>["client"]>;

/** The client settings from the environment, or one UsageError listing every problem. */
export function dataverseSettingsFromEnv(env: NodeJS.ProcessEnv): DataverseSettings {
  const result = readDataverseEnv(env, (path) => readFileSync(path, "utf8"));
  if (!result.client)
    throw new UsageError(`The Dataverse connection is not configured:\n  ${result.problems.join("\n  ")}`);
  return result.client;
}

export function connectDataverse(
  settings: DataverseSettings,
  extra: Partial<DataverseClientOptions> = {},
): DataverseClient {
  return createDataverseClient({ maxAttempts: 3, ...settings, ...extra });
}
