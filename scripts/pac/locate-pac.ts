// Finds the pac executable: an explicit path (option or PAC_PATH) first, then `pac` on PATH, then
// the runners folder layout the Power Platform build tools use.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { PacNotFoundError } from "./errors";

export interface LocatePacInput {
  explicitPath?: string | undefined;
  pathVariable?: string | undefined;
  runnersDir?: string | undefined;
  platform?: NodeJS.Platform;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function locatePac(input: LocatePacInput): string {
  const platform = input.platform ?? process.platform;
  const tried: string[] = [];
  if (input.explicitPath) {
    if (isExecutable(input.explicitPath)) return input.explicitPath;
    throw new PacNotFoundError([`${input.explicitPath} (PAC_PATH or --pac-path: not an executable file)`]);
  }
  const names = platform === "win32" ? ["pac.exe", "pac.cmd", "pac"] : ["pac"];
  for (const dir of (input.pathVariable ?? "").split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  tried.push("pac on PATH");
  if (input.runnersDir) {
    const candidate =
      platform === "win32"
        ? join(input.runnersDir, "pac", "tools", "pac.exe")
        : join(input.runnersDir, "pac_linux", "tools", "pac");
    if (isExecutable(candidate)) return candidate;
    tried.push(candidate);
  }
  throw new PacNotFoundError(tried);
}
