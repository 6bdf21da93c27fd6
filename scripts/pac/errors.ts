// Errors of the PAC runner and the deploy command. Each carries a stable code and, where we can
// tell, the likely fix, so the CLI can print "what failed, pac's own words, what to do".

import { KitError } from "../../common/kit-error";
export class PacError extends KitError {
  readonly code = "PAC_FAILED";
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly output: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`pac ${args[0] ?? ""} ${args[1] ?? ""} exited with code ${exitCode}`.trim(), options);
    this.name = "PacError";
  }
}

export class PacNotFoundError extends KitError {
  readonly code = "PAC_NOT_FOUND";
  constructor(readonly tried: readonly string[]) {
    super(
      `Could not find the pac executable (looked at: ${tried.join(", ")}). Install Power Platform CLI ` +
        "(`dotnet tool install --global Microsoft.PowerApps.CLI.Tool`) or set PAC_PATH to the pac executable.",
    );
    this.name = "PacNotFoundError";
  }
}

/** Reads pac's output and the step it failed in, and names the most likely fix. */
export function suggestFix(step: string, output: readonly string[]): string {
  const text = output.join("\n").toLowerCase();
  if (/(unauthori[sz]ed|aadsts\d+|invalid_client|authentication failed)/.test(text)) {
    return "The credentials were refused: check DATAVERSE_TENANT_ID, DATAVERSE_CLIENT_ID and the secret or certificate, and that the app registration exists in that tenant.";
  }
  if (
    /(not a member|no .*security role|does not have .*privilege|insufficient privileges|prvread|prvcreate|403)/.test(
      text,
    )
  ) {
    return "The application user lacks a role: in the Power Platform admin center, add it to the environment with the System Administrator (or Website Owner) security role.";
  }
  if (/(website.*(not found|does not exist)|invalid website ?id|no website)/.test(text)) {
    return "The website id is wrong for this environment: run `pac pages list` and pass the Website Id shown for your Event Portal as --website-id.";
  }
  if (/(model ?version|enhanced data model|data model)/.test(text)) {
    return "The data model does not match: pass --model-version 2 for an enhanced-data-model site and 1 for a standard one (`pac pages list -v` shows which).";
  }
  if (step === "download" || step === "upload") {
    return "Re-run with the same options; if it fails again, read pac's log (`pac` prints its path) and check that the environment URL is the one that hosts the site.";
  }
  return "Check the message above; `pac auth list` shows the profiles pac knows.";
}
