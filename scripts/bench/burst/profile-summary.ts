// Summarises a V8 CPU profile (`node --cpu-prof`, e.g. BURST_NODE_ARGS="--cpu-prof
// --cpu-prof-dir=/tmp/prof" on the ingest benchmark): the frames with the most self time, and the
// share of time spent under a few groups of the ingest path (by file), so a profile before and
// after a change can be compared in docs/ingest-profile.md.
//
//   npx tsx scripts/bench/burst/profile-summary.ts <file.cpuprofile> [--top N] [--json] [--help]

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface FrameTime {
  frame: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time outside (idle) and (program)/(garbage collector), the rest is JavaScript and native work. */
  idleMs: number;
  top: FrameTime[];
  /** Inclusive time under frames whose file matches each group. */
  groups: Array<{ group: string; ms: number; share: number }>;
}

/** File-name patterns of the parts of the ingest path (inclusive time, first match on the stack). */
const GROUPS: Array<[string, RegExp]> = [
  ["node:http (parser, sockets)", /node:_http|node:net|node:stream|node:internal\/streams/],
  ["Web Request/Response (undici)", /node:internal\/deps\/undici|internal\/webstreams|node:internal\/fetch/],
  ["logger", /logger\.ts|\/pino\//],
  ["metrics", /metrics\.ts|prom-client/],
  ["SQLite store", /better-sqlite3|\/store\//],
  ["signature + JSON (provider)", /providers\/stripe|node:crypto|internal\/crypto/],
];

function shortFrame(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\/.*\/node_modules\//, "").replace(/^file:\/\/.*\//, "");
  return `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
}

export function summarise(profile: CpuProfile, topN = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const byFrame = new Map<string, number>();
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === "(idle)") idleMs += ms;
    const key = shortFrame(node);
    byFrame.set(key, (byFrame.get(key) ?? 0) + ms);
  }
  const busyMs = totalMs - idleMs;
  const top = [...byFrame]
    .filter(([frame]) => !frame.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([frame, ms]) => ({ frame, selfMs: ms, share: ms / busyMs }));
  // Inclusive time per group: each sample counted once, for the group nearest the top of its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const groupMs = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      const hit = GROUPS.find(([, re]) => re.test(url));
      if (hit) {
        groupMs.set(hit[0], (groupMs.get(hit[0]) ?? 0) + ms);
        break;
      }
    }
  }
  const groups = GROUPS.map(([group]) => {
    const ms = groupMs.get(group) ?? 0;
    return { group, ms, share: ms / busyMs };
  });
  return { totalMs, idleMs, top, groups };
}

const HELP = `Usage: npx tsx scripts/bench/burst/profile-summary.ts <file.cpuprofile> [--top N] [--json]

The frames with the most self time in a V8 CPU profile, and the time under parts of the ingest path.
`;

function cli(): void {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { top: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun with --help for usage.\n`);
    process.exitCode = 1;
    return;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length !== 1) {
    process.stdout.write(HELP);
    if (!values.help) process.exitCode = 1;
    return;
  }
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(positionals[0]!, "utf8")) as CpuProfile;
  } catch (error) {
    process.stderr.write(`Could not read the profile ${positionals[0]}: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const s = summarise(profile, Number(values.top ?? 15));
  if (values.json) return void process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const out = [
    `busy ${(s.totalMs - s.idleMs).toFixed(0)} ms of ${s.totalMs.toFixed(0)} ms profiled`,
    "",
    "| self ms | share | frame |",
    "|---:|---:|---|",
  ];
  for (const f of s.top) out.push(`| ${f.selfMs.toFixed(1)} | ${pct(f.share)} | \`${f.frame}\` |`);
  out.push("", "| part of the path (inclusive) | ms | share |", "|---|---:|---:|");
  for (const g of s.groups) out.push(`| ${g.group} | ${g.ms.toFixed(0)} | ${pct(g.share)} |`);
  process.stdout.write(`${out.join("\n")}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) cli();
