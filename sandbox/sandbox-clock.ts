// One clock for the whole sandbox: the Dataverse stand-in, the provider stand-in and the
// confirmation endpoint all read it, so moving it forward moves "the world" at once (a purchase
// expires in Dataverse at the same moment the endpoint's guard fires). The offset is kept in a
// small JSON file so a restart on the same data folder continues at the same simulated time.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export interface SandboxClock {
  /** Epoch ms: real time plus the offset. */
  now(): number;
  /** How far the clock runs ahead of real time, in ms. */
  offsetMs(): number;
  /** Moves the clock forward by `ms` (never backwards). */
  advance(ms: number): void;
}

export class SandboxClockError extends Error {
  override readonly name = "SandboxClockError";
  readonly code = "INVALID_ADVANCE";
}

function readOffset(file: string | undefined): number {
  if (!file || !existsSync(file)) return 0;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { offsetMs?: unknown };
    return typeof parsed.offsetMs === "number" && Number.isFinite(parsed.offsetMs) && parsed.offsetMs >= 0 ? parsed.offsetMs : 0;
  } catch {
    return 0;
  }
}

/** A clock ahead of `base` by an offset that `advance` grows; persisted to `file` when given. */
export function createSandboxClock(options: { file?: string; base?: () => number } = {}): SandboxClock {
  const base = options.base ?? Date.now;
  let offset = readOffset(options.file);
  return {
    now: () => base() + offset,
    offsetMs: () => offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new SandboxClockError(`The sandbox clock moves forward only: advance takes a positive number of ms, got ${ms}.`);
      }
      offset += ms;
      if (options.file) writeFileSync(options.file, `${JSON.stringify({ offsetMs: offset })}\n`);
    },
  };
}
