// Starts scripts/bench/burst/endpoint-process.ts as a child process, waits for the URL it prints,
// and lets the parent move its clock, read its peak RSS and kill it. The entry is bundled with
// esbuild first (as a deployment would run it) and started with plain node: one process, so SIGKILL
// really kills the endpoint and /proc/<pid>/status is the endpoint's own memory, without the
// TypeScript compiler tsx would keep loaded. It runs with the node flags the kit ships
// (scripts/hosting/node-flags.ts), so its memory is the deployed endpoint's.

import { KitError } from "../../../common/kit-error";
import { spawn } from "node:child_process";
import { build } from "esbuild";
import type { ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClockState } from "./scaled-clock";
import { formatClockState } from "./scaled-clock";
import { processCpuMs } from "./process-cpu";
import { ENDPOINT_NODE_FLAGS } from "../../hosting/node-flags";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const entry = fileURLToPath(new URL("./endpoint-process.ts", import.meta.url));
const repoModules = fileURLToPath(new URL("../../../node_modules", import.meta.url));
const bundles = new Map<string, Promise<string>>();

/**
 * Bundles the endpoint entry into `dir` (once per dir), beside a node_modules link to the repo's, so
 * its bare imports (better-sqlite3, stripe …) resolve and the file goes away with the run's folder.
 * main.ts's "am I the program?" check is defined away.
 */
function bundleEndpoint(dir: string): Promise<string> {
  let bundled = bundles.get(dir);
  if (!bundled) {
    bundled = (async () => {
      const outfile = join(dir, "endpoint.mjs");
      if (!existsSync(join(dir, "node_modules"))) symlinkSync(repoModules, join(dir, "node_modules"), "dir");
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        format: "esm",
        packages: "external",
        define: { "import.meta.url": JSON.stringify("bundle:burst-endpoint") },
        outfile,
        logLevel: "warning",
      });
      return outfile;
    })();
    bundles.set(dir, bundled);
  }
  return bundled;
}

export class EndpointStartError extends KitError {
  readonly code = "ENDPOINT_START_FAILED";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EndpointStartError";
  }
}

export interface EndpointProcess {
  url: string;
  pid: number;
  setClock(state: ClockState): void;
  /** Peak resident set size so far (VmHWM), in MiB; null where /proc is missing. */
  peakRssMiB(): number | null;
  /** User + system CPU ms the process has used so far; null where /proc is missing. */
  cpuMs(): number | null;
  /** SIGKILL, and resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (clean stop), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** `logFile` receives the endpoint's stderr (JSON logs), appended. */
export async function spawnEndpoint(
  env: Record<string, string>,
  logFile: string,
  timeoutMs = 30_000,
): Promise<EndpointProcess> {
  const program = await bundleEndpoint(dirname(logFile));
  const fd = openSync(logFile, "a");
  // The shipped flags first; BURST_NODE_ARGS after them, so it can override one (V8 takes the last):
  // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile, "--max-semi-space-size=16" for V8's default.
  const nodeArgs = (process.env.BURST_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...ENDPOINT_NODE_FLAGS, ...nodeArgs, program], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...env,
    },
    stdio: ["pipe", "pipe", fd],
  });
  closeSync(fd);
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () =>
        reject(
          new EndpointStartError(
            `the endpoint process printed no URL within ${timeoutMs} ms; see ${logFile}`,
          ),
        ),
      timeoutMs,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new EndpointStartError(
          `the endpoint process stopped before listening (exit ${code ?? signal}); see ${logFile}`,
        ),
      );
    });
  });
  const pid = child.pid ?? -1;
  return {
    url,
    pid,
    setClock(state) {
      child.stdin?.write(`clock ${formatClockState(state)}\n`);
    },
    peakRssMiB() {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return m?.[1] ? Number(m[1]) / 1024 : null;
      } catch {
        return null;
      }
    },
    cpuMs: () => processCpuMs(pid),
    async kill() {
      child.kill("SIGKILL");
      await exited(child);
    },
    async stop(graceMs = 10_000) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
