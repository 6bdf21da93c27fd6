// <data folder>/sandbox.env: the environment the sandbox gave its endpoint (the stand-ins' URLs and
// this run's throwaway credentials), so `npm run doctor|assign|reconcile|… -- --env-file <it>` runs
// against the running sandbox. Owner-only (0600), rewritten at each start; the values are valid only
// while this run lasts and are never printed.
import { chmodSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ENV_FILE = "sandbox.env";

/** A value as a dotenv line can hold it: bare when safe, else double-quoted with escapes. */
function quote(value: string): string {
  if (/^[A-Za-z0-9_./:@,+=-]*$/.test(value)) return value;
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Writes the file atomically with mode 0600; answers its path. */
export function writeSandboxEnvFile(
  dataDir: string,
  env: Record<string, string>,
  urls: { endpoint: string; portal: string },
): string {
  const file = join(dataDir, ENV_FILE);
  const lines = [
    "# Written by npm start for this sandbox run; the secrets are throwaway and end with it.",
    `# Endpoint: ${urls.endpoint}   Portal: ${urls.portal}`,
    `# Try: npm run doctor -- --env-file ${file} --endpoint-url ${urls.endpoint} --portal-url ${urls.portal}`,
    ...Object.entries(env).map(([key, value]) => `${key}=${quote(value)}`),
    "",
  ];
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, lines.join("\n"), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return file;
}
