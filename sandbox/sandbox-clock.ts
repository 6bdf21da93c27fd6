// One clock for the whole sandbox: the Dataverse stand-in, the provider stand-in and the
// confirmation endpoint all read it, so moving it forward moves "the world" at once (a purchase
// expires in Dataverse at the same moment the endpoint's guard fires). The offset is kept in a
// small JSON file so a restart on the same data folder continues at the same simulated time.
import { KitError } from "../common/kit-error";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export interface SandboxClock {
  /** Epoch ms: real time plus the offset. */
  now(): number;
  /** How far the clock runs ahead of real time, in ms. */
  offsetMs(): number;
  /** Moves the clock forward by `ms` (never backwards). */
  advance(ms: number): void;
}

export class SandboxClockError extends KitError {
  override readonly name = "SandboxClockError";
  constructor(
    readonly code: "INVALID_ADVANCE" | "UNREADABLE_CLOCK_FILE",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A file it cannot read is an error: starting at real time instead would move the clock backwards. */
function readOffset(file: string | undefined): number {
  if (!file || !existsSync(file)) return 0;
  let offset: unknown;
  try {
    offset = (JSON.parse(readFileSync(file, "utf8")) as { offsetMs?: unknown }).offsetMs;
  } catch (cause) {
    throw new SandboxClockError(
      "UNREADABLE_CLOCK_FILE",
      `The sandbox clock file ${file} is not JSON. Delete it to start at real time, or start with --fresh.`,
      { cause },
    );
  }
  if (typeof offset === "number" && Number.isFinite(offset) && offset >= 0) return offset;
  throw new SandboxClockError(
    "UNREADABLE_CLOCK_FILE",
    `The sandbox clock file ${file} holds no offsetMs of 0 or more. Delete it to start at real time, or start with --fresh.`,
  );
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
        throw new SandboxClockError(
          "INVALID_ADVANCE",
          `The sandbox clock moves forward only: advance takes a positive number of ms, got ${ms}.`,
        );
      }
      offset += ms;
      if (options.file) writeFileSync(options.file, `${JSON.stringify({ offsetMs: offset })}\n`);
    },
  };
}

/** An offset for people: "3 h 20 min", "45 min", "2 d 1 h". */
export function describeOffset(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [
    days ? `${days} d` : "",
    hours ? `${hours} h` : "",
    mins || (!days && !hours) ? `${mins} min` : "",
  ];
  return parts.filter(Boolean).join(" ");
}
