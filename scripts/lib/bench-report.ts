// What every benchmark prints beside a target, and how `npm run bench` reads a run back: a target
// line ends in "met" or "MISSED", so a run can be counted (and `--json` can say which were missed)
// without each benchmark returning its figures in a second form.
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

/** The word a benchmark prints after a target. */
export const verdict = (pass: boolean): "met" | "MISSED" => (pass ? "met" : "MISSED");

/** The lines of a benchmark's output that carry a verdict, split by it. */
export function verdicts(lines: readonly string[]): { met: string[]; missed: string[] } {
  const met = lines.filter((l) => /\bmet\b/.test(l) && !/\bMISSED\b/.test(l));
  const missed = lines.filter((l) => /\bMISSED\b/.test(l));
  return { met, missed };
}

export interface RunContext {
  commit: string | null;
  /** The working tree had uncommitted changes: the figures are not the commit's alone. */
  dirty: boolean;
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  /** 1, 5 and 15-minute load averages when the run started. */
  load: [number, number, number];
  startedAt: string;
}

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

/** The machine, the commit and the load a run is measured under (what a recorded run must state). */
export function runContext(now = new Date()): RunContext {
  const [one, five, fifteen] = loadavg();
  return {
    commit: git(["rev-parse", "--short", "HEAD"]),
    dirty: (git(["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "",
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    load: [one ?? 0, five ?? 0, fifteen ?? 0].map((n) => Math.round(n * 100) / 100) as RunContext["load"],
    startedAt: now.toISOString(),
  };
}

export function describeContext(c: RunContext): string {
  return (
    `commit ${c.commit ?? "unknown"}${c.dirty ? " (with uncommitted changes)" : ""}, ${c.startedAt}; ` +
    `${c.cpus} × ${c.cpuModel}, ${c.memoryGiB} GiB, Node ${c.node}; ` +
    `load average ${c.load.join(" / ")} (1 / 5 / 15 min) at the start`
  );
}
