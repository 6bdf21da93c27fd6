// Figure 1's floor (issue 22, item 1): the kit's webhook ingest beside the least a correct receiver
// must pay on this runtime and disk (floor-receiver.ts), in the same run, on the same signed bodies:
// CPU per webhook (the receiver process's user+system time, /proc/<pid>/stat, from the first send
// until it is idle again, over the webhooks it committed) and ack latency p50/p99 at a fixed offered rate (open loop). Each receiver is
// pinned to CPU 0 and this load generator to CPU 1 (taskset), so the figure does not depend on what
// else runs; without taskset, or with one CPU, both run unpinned and the output says so. The kit
// runs with its worker off (BURST_START_WORKER=0): ingest alone is measured, as for the floor.
//
//   npx tsx scripts/bench/burst/ingest-floor.ts [--webhooks N] [--rate R] [--json] [--help]
// burst.ts prints it under figure 1; targets: CPU ≤ 1.5× the floor's, p99 < 20 ms at 1,000/s.

import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { build } from "esbuild";
import { verdict } from "../../lib/bench-report";
import { signWebhookPayload } from "../../../sandbox/provider/sign-webhook";
import { fireWebhooks, percentile } from "./fire-webhooks";
import type { FireResult } from "./fire-webhooks";
import { spawnEndpoint } from "./spawn-endpoint";

/**
 * How far each receiver goes: "store" (the figure: verify, store durably, answer) or "route" (verify,
 * parse, answer, nothing stored: the kit's store answers at once, the floor commits nothing), so
 * that the difference between two runs is what storing costs each side.
 */
export type IngestDepth = "store" | "route";

export interface IngestFloorOptions {
  webhooks: number;
  ratePerSecond: number;
  /** Default "store". */
  depth?: IngestDepth;
  /** Rounds, the two receivers taking turns (first one, then the other first); the figure is their median. */
  rounds?: number;
  dir: string;
  progress?: (line: string) => void;
}

export interface ReceiverFigure {
  label: string;
  acks: number;
  /** Webhooks the receiver committed during the measured run (acknowledged or not). */
  stored: number;
  /** CPU of the run, until the receiver is idle again, over the webhooks it stored (at depth "route": acknowledged). */
  cpuMsPerWebhook: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  /** Peak resident set size of the receiver process (VmHWM), MiB; null without /proc. */
  peakRssMiB: number | null;
}

export interface IngestFloorRound {
  kit: ReceiverFigure;
  floor: ReceiverFigure;
  /** kit CPU per stored webhook ÷ the floor's. */
  cpuRatio: number;
}

export interface IngestFloorResult {
  depth: IngestDepth;
  pinned: boolean;
  /** Why the run was not pinned, when it was not. */
  pinNote: string | null;
  ratePerSecond: number;
  rounds: IngestFloorRound[];
  /** The round with the median ratio (target ≤ 1.5). */
  kit: ReceiverFigure;
  floor: ReceiverFigure;
  cpuRatio: number;
  /** The kit's median p99 over the rounds (target < 20 ms). */
  kitP99Ms: number;
}

const repoModules = fileURLToPath(new URL("../../../node_modules", import.meta.url));
const floorEntry = fileURLToPath(new URL("./floor-receiver.ts", import.meta.url));
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU of a process (all its threads) so far, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Pins every thread of `pid` to `cpus` (a taskset list); false when taskset is missing or fails. */
function pin(pid: number, cpus: string): boolean {
  try {
    execFileSync("taskset", ["-a", "-pc", cpus, String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Signed-body workload: distinct checkout.session.completed events for made-up purchases. */
export function makeBodies(count: number, tag: string): string[] {
  const created = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const purchaseId = randomUUID();
    return JSON.stringify({
      id: `evt_${tag}_${i}`,
      object: "event",
      api_version: "2024-06-20",
      created,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: "checkout.session.completed",
      data: {
        object: {
          id: `cs_test_${tag}_${i}`,
          object: "checkout.session",
          status: "complete",
          payment_status: "paid",
          mode: "payment",
          payment_intent: `pi_${tag}_${i}`,
          client_reference_id: purchaseId,
          amount_subtotal: 2500,
          amount_total: 2500,
          currency: "eur",
          customer_details: { email: null, name: null, address: null, phone: null, tax_exempt: "none" },
          metadata: { kit: "epg", purchaseId, mode: "outbound" },
          expires_at: created + 1800,
          success_url: "https://contoso.powerappsportals.com/payment-gateway/?gatewayReturn=success",
          cancel_url: "https://contoso.powerappsportals.com/payment-gateway/?gatewayReturn=cancel",
        },
      },
    });
  });
}

async function bundleFloor(dir: string): Promise<string> {
  const outfile = join(dir, "floor-receiver.mjs");
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(repoModules, join(dir, "node_modules"), "dir");
  await build({
    entryPoints: [floorEntry],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

async function spawnFloor(
  dir: string,
  secret: string,
  depth: IngestDepth,
): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const program = await bundleFloor(dir);
  const nodeArgs = (process.env.BURST_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, program], {
    env: {
      PATH: process.env.PATH ?? "",
      FLOOR_SECRET: secret,
      FLOOR_DB: join(dir, "floor.sqlite"),
      FLOOR_DEPTH: depth,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8").split("\n")[0]!.trim()));
    child.once("exit", (code) =>
      reject(new Error(`the floor receiver stopped before listening (exit ${code})`)),
    );
  });
  return { url, pid: child.pid ?? -1, child };
}

/** Peak resident set size (VmHWM) of a process, MiB; null where /proc is missing. */
function peakRssMiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function figure(
  label: string,
  result: FireResult,
  work: { cpuMs: number; stored: number },
  pid: number,
  depth: IngestDepth,
): ReceiverFigure {
  const acks = result.statuses["200"] ?? 0;
  const done = depth === "store" ? work.stored : acks;
  return {
    peakRssMiB: peakRssMiB(pid),
    label,
    acks,
    stored: work.stored,
    cpuMsPerWebhook: done > 0 ? work.cpuMs / done : Number.NaN,
    p50Ms: percentile(result.latenciesMs, 50),
    p99Ms: percentile(result.latenciesMs, 99),
    statuses: result.statuses,
  };
}

/** Rows of `table` in the SQLite file at `path`, read beside the writer (WAL). */
function rowCounter(path: string, table: string): () => number {
  return () => {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
}

/** Waits until the process uses (almost) no CPU for a moment: a queue it still works through counts. */
async function untilIdle(pid: number, limitMs = 30_000): Promise<void> {
  const until = Date.now() + limitMs;
  let last = cpuMs(pid);
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = cpuMs(pid);
    if (now - last < 10) return;
    last = now;
  }
}

/**
 * Warm-up (not counted), then the measured run, against one receiver process. Its CPU is counted
 * until it is idle again and divided by the webhooks it committed, so a receiver that falls behind
 * (answers after the sender gave up) is not charged for work without a result, nor let off it.
 */
async function measureReceiver(
  label: string,
  target: { url: string; pid: number; rows: () => number },
  options: IngestFloorOptions,
  sign: (body: string) => Record<string, string>,
): Promise<ReceiverFigure> {
  const tag = `${label}${randomBytes(3).toString("hex")}`;
  const fire = (bodies: string[], rate: number) =>
    fireWebhooks({ url: target.url, bodies, ratePerSecond: rate, headersFor: sign, timeoutMs: 10_000 });
  // Warm-up at the measured rate, long enough for V8 to have optimised the path (a shorter one left
  // the floor's first round a third dearer than its next).
  await fire(makeBodies(Math.min(3000, options.webhooks), `${tag}w`), options.ratePerSecond);
  await untilIdle(target.pid);
  const bodies = makeBodies(options.webhooks, tag);
  const rowsBefore = target.rows();
  const before = cpuMs(target.pid);
  const result = await fire(bodies, options.ratePerSecond);
  await untilIdle(target.pid);
  const work = { cpuMs: cpuMs(target.pid) - before, stored: target.rows() - rowsBefore };
  return figure(label, result, work, target.pid, options.depth ?? "store");
}

function minimalEnv(secret: string, storePath: string, depth: IngestDepth): Record<string, string> {
  // The worker is off and nothing reads Dataverse during ingest; these only let the config load.
  return {
    ...(depth === "route" ? { BURST_WEBHOOK_STORE: "skip" } : {}),
    DATAVERSE_URL: "https://contoso.crm.dynamics.com",
    DATAVERSE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
    DATAVERSE_CLIENT_ID: "11111111-1111-1111-1111-111111111111",
    DATAVERSE_CLIENT_SECRET: "bench-only-not-a-secret",
    PORTAL_ORIGINS: "https://contoso.powerappsportals.com",
    STRIPE_SECRET_KEY: "sk_test_bench",
    STRIPE_WEBHOOK_SECRETS: secret,
    STORE_URL: `sqlite:${storePath}`,
    PORT: "0",
    BURST_START_WORKER: "0",
  };
}

/** The value in the middle of `values` (the lower middle of an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

interface Receiver {
  label: string;
  target: { url: string; pid: number; rows: () => number };
}

export async function runIngestFloor(options: IngestFloorOptions): Promise<IngestFloorResult> {
  const progress = options.progress ?? (() => {});
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  const sign = (body: string) => ({
    "content-type": "application/json",
    "stripe-signature": signWebhookPayload(body, secret, Math.floor(Date.now() / 1000)),
  });
  const twoCpus = Number(execFileSync("nproc", { encoding: "utf8" }).trim()) >= 2;
  let pinNote: string | null = twoCpus ? null : "one CPU only: receivers and load generator unpinned";
  const pinSelf = twoCpus && pin(process.pid, "1");
  if (twoCpus && !pinSelf) pinNote = "taskset missing or refused: receivers and load generator unpinned";
  // Both receivers run throughout (each idle while the other is measured), pinned to the same CPU.
  const depth = options.depth ?? "store";
  const kitProcess = await spawnEndpoint(
    minimalEnv(secret, join(options.dir, "ingest-kit.sqlite"), depth),
    join(options.dir, "ingest-kit.log"),
  );
  let floorProcess: Awaited<ReturnType<typeof spawnFloor>> | null = null;
  try {
    floorProcess = await spawnFloor(options.dir, secret, depth);
    if (pinSelf) for (const pid of [kitProcess.pid, floorProcess.pid]) pin(pid, "0");
    const kit: Receiver = {
      label: "kit",
      target: {
        url: `${kitProcess.url}/v1/webhooks/stripe`,
        pid: kitProcess.pid,
        rows: rowCounter(join(options.dir, "ingest-kit.sqlite"), "webhook_event"),
      },
    };
    const floor: Receiver = {
      label: "floor",
      target: { ...floorProcess, rows: rowCounter(join(options.dir, "floor.sqlite"), "event") },
    };
    const rounds: IngestFloorRound[] = [];
    const count = Math.max(1, options.rounds ?? 1);
    for (let r = 0; r < count; r++) {
      const order = r % 2 === 0 ? [kit, floor] : [floor, kit];
      const figures = new Map<string, ReceiverFigure>();
      for (const receiver of order) {
        progress(
          `ingest floor, round ${r + 1} of ${count}: ${receiver.label === "kit" ? "the kit" : "the floor receiver"}, ${options.webhooks} webhooks at ${options.ratePerSecond}/s`,
        );
        figures.set(receiver.label, await measureReceiver(receiver.label, receiver.target, options, sign));
      }
      const k = figures.get("kit")!;
      const f = figures.get("floor")!;
      rounds.push({ kit: k, floor: f, cpuRatio: k.cpuMsPerWebhook / f.cpuMsPerWebhook });
    }
    const middle = median(rounds.map((r) => r.cpuRatio));
    const chosen = rounds.find((r) => r.cpuRatio === middle) ?? rounds[0]!;
    return {
      depth,
      pinned: pinSelf,
      pinNote,
      ratePerSecond: options.ratePerSecond,
      rounds,
      kit: chosen.kit,
      floor: chosen.floor,
      cpuRatio: chosen.cpuRatio,
      kitP99Ms: median(rounds.map((r) => r.kit.p99Ms)),
    };
  } finally {
    floorProcess?.child.kill("SIGTERM");
    await kitProcess.stop();
    if (pinSelf) pin(process.pid, "0-1");
  }
}

/** Webhooks and rate from the environment (BENCH_QUICK/BURST_QUICK: 2,000 instead of 5,000; 1,000/s). */
export function ingestFloorPlan(env: NodeJS.ProcessEnv = process.env): {
  webhooks: number;
  ratePerSecond: number;
  rounds: number;
} {
  const quick = env.BENCH_QUICK === "1" || env.BURST_QUICK === "1";
  return { webhooks: quick ? 2000 : 5000, ratePerSecond: 1000, rounds: quick ? 3 : 5 };
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const metOrMissed = verdict;

/** The figure's lines, as burst.ts prints them under figure 1. */
export function ingestFloorLines(r: IngestFloorResult): string[] {
  const line = (f: ReceiverFigure) =>
    `${f.label.padEnd(6)} ${fmt(f.cpuMsPerWebhook, 3)} ms CPU/webhook (${f.stored} stored, ${f.acks} acked)  p50 ${fmt(f.p50Ms, 1)} ms  p99 ${fmt(f.p99Ms, 1)} ms  peak RSS ${fmt(f.peakRssMiB ?? Number.NaN, 0)} MiB  (${Object.entries(
      f.statuses,
    )
      .map(([k, v]) => `${k}:${v}`)
      .join(" ")})`;
  const ratios = r.rounds.map((x) => fmt(x.cpuRatio)).join(", ");
  const p99s = r.rounds.map((x) => fmt(x.kit.p99Ms, 1)).join(", ");
  const setting = `at ${r.ratePerSecond}/s offered, ${r.pinned ? "receiver on CPU 0, load generator on CPU 1" : (r.pinNote ?? "unpinned")}; ${r.rounds.length} round(s), the receivers taking turns`;
  const rounds = r.rounds.flatMap((x, i) => [`  ${i + 1}. ${line(x.kit)}`, `     ${line(x.floor)}`]);
  if (r.depth === "route") {
    // Nothing is stored at this depth: a part of the figure, with no target of its own.
    return [
      `  up to the store only (nothing stored; CPU over acknowledged webhooks), ${setting}`,
      ...rounds,
      `  kit vs floor CPU/webhook up to the store, median of the rounds: ${fmt(r.cpuRatio)}x (rounds: ${ratios})`,
    ];
  }
  return [
    `  ${setting}`,
    ...rounds,
    `  kit vs floor CPU/webhook, median of the rounds: ${fmt(r.cpuRatio)}x (rounds: ${ratios}); target ≤ 1.5x: ${metOrMissed(r.cpuRatio <= 1.5)}`,
    `  kit p99, median of the rounds: ${fmt(r.kitP99Ms, 1)} ms (rounds: ${p99s}); target < 20 ms: ${metOrMissed(r.kitP99Ms < 20)}`,
  ];
}

const HELP = `Usage: npx tsx scripts/bench/burst/ingest-floor.ts [--webhooks N] [--rate R] [--rounds N] [--depth store|route] [--json] [--help]

Webhook ingest of the kit (worker off) beside a floor receiver (node:http, signature check, one
durable row, group commit), same signed bodies, each pinned to CPU 0 with this generator on CPU 1.
Prints CPU per stored webhook and ack latency p50/p99 for both, and the ratio.
  --webhooks N   measured webhooks per receiver (default 5000; BENCH_QUICK=1: 2000)
  --rate R       offered webhooks per second, open loop (default 1000)
  --rounds N     rounds, the receivers taking turns; figures are the medians (default 5; BENCH_QUICK=1: 3)
  --depth D      store (default): the figure; route: both receivers verify, parse and answer without
                 storing, so a run of each depth tells what storing costs either side
  --json         the result as JSON on stdout
`;

async function cli(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        webhooks: { type: "string" },
        rate: { type: "string" },
        rounds: { type: "string" },
        depth: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun with --help for usage.\n`);
    process.exitCode = 1;
    return;
  }
  if (values.help) return void process.stdout.write(HELP);
  const plan = ingestFloorPlan();
  const webhooks = Number(values.webhooks ?? plan.webhooks);
  const rate = Number(values.rate ?? plan.ratePerSecond);
  const rounds = Number(values.rounds ?? plan.rounds);
  const depth = values.depth ?? "store";
  if (depth !== "store" && depth !== "route") {
    process.stderr.write(`--depth must be "store" or "route"; got "${depth}".\n`);
    process.exitCode = 1;
    return;
  }
  if (
    !Number.isInteger(webhooks) ||
    webhooks < 100 ||
    !(rate > 0) ||
    !Number.isInteger(rounds) ||
    rounds < 1
  ) {
    process.stderr.write(
      "--webhooks must be a whole number ≥ 100, --rate a positive number and --rounds a whole number ≥ 1.\n",
    );
    process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "bench-ingest-floor-"));
  try {
    const result = await runIngestFloor({
      webhooks,
      ratePerSecond: rate,
      rounds,
      depth,
      dir,
      progress: (l) => process.stderr.write(`${l}\n`),
    });
    process.stdout.write(
      values.json ? `${JSON.stringify(result, null, 2)}\n` : `${ingestFloorLines(result).join("\n")}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await cli();
