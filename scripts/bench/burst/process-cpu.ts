// CPU time of processes, read from /proc (Linux): what the endpoint processes and the PostgreSQL
// server spent, so a benchmark can divide it by the webhooks acknowledged meanwhile.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime, stime, cutime, cstime of `pid` in ms, or null when /proc has no such process. */
function cpuFields(pid: number): [number, number, number, number] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ms = (i: number) => (Number(rest[i]) * 1000) / clockTicks();
    return [ms(11), ms(12), ms(13), ms(14)];
  } catch {
    return null;
  }
}

/** User + system CPU ms `pid` has used so far; null where /proc is missing or the process is gone. */
export function processCpuMs(pid: number): number | null {
  const f = cpuFields(pid);
  return f ? f[0] + f[1] : null;
}

/**
 * CPU ms of a server and its workers: the root's own time, what its finished children used
 * (cutime + cstime) and the running children's time. PostgreSQL runs one process per connection.
 */
export function processTreeCpuMs(rootPid: number): number | null {
  const root = cpuFields(rootPid);
  if (!root) return null;
  let total = root[0] + root[1] + root[2] + root[3];
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${rootPid}/task/${rootPid}/children`, "utf8").trim().split(/\s+/);
  } catch {
    // Kernels without the children file: only the root's own and finished children's time.
  }
  for (const child of children) total += processCpuMs(Number(child)) ?? 0;
  return total;
}
