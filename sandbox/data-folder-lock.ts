// One sandbox per data folder: a second `npm start` on the same folder would rewrite the first one's
// site settings and SQLite files under it. The lock is a small JSON file naming the owner's pid; a
// lock whose process is gone (a crash, kill -9) is stale and taken over.
import { hostname } from "node:os";
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { SandboxError } from "./sandbox-error";

export const LOCK_FILE = "sandbox.lock";

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export interface DataFolderLock {
  /** Removes the lock file (once; later calls do nothing). */
  release(): void;
}

function readOwner(file: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as Partial<LockOwner>;
    if (typeof owner.pid !== "number" || !Number.isInteger(owner.pid) || owner.pid <= 0) return null;
    return { pid: owner.pid, host: String(owner.host ?? ""), startedAt: String(owner.startedAt ?? "") };
  } catch {
    return null;
  }
}

/** Whether `pid` names a running process on this machine (EPERM: it runs, as another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock is stale when its owner ran on this host and is gone, or when the file cannot be read. */
function isStale(owner: LockOwner | null): boolean {
  if (owner === null) return true;
  if (owner.host !== "" && owner.host !== hostname()) return false;
  return !processIsAlive(owner.pid);
}

/**
 * Takes the lock on `dataDir` (which must exist) for this process, or throws DATA_FOLDER_IN_USE
 * naming the owner and how to run a second sandbox. A stale lock is replaced, with a log line.
 */
export function lockDataFolder(dataDir: string, log: (line: string) => void): DataFolderLock {
  const file = join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx", 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(file);
      if (!isStale(owner)) throw inUse(dataDir, owner as LockOwner);
      log(
        `removing a stale lock on ${dataDir}${owner ? ` (pid ${owner.pid} is not running)` : " (unreadable)"}`,
      );
      rmSync(file, { force: true });
      continue;
    }
    writeSync(fd, `${JSON.stringify(me)}\n`);
    closeSync(fd);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        if (readOwner(file)?.pid === me.pid) rmSync(file, { force: true });
      },
    };
  }
  throw new SandboxError(
    "DATA_FOLDER_LOCK_FAILED",
    `Could not take the lock ${file}; remove it and start again.`,
  );
}

function inUse(dataDir: string, owner: LockOwner): SandboxError {
  const since = owner.startedAt ? `, started ${owner.startedAt}` : "";
  const self = owner.pid === process.pid ? " (this very process)" : "";
  return new SandboxError(
    "DATA_FOLDER_IN_USE",
    `Another sandbox (pid ${owner.pid}${self}${since}) is using ${dataDir}. Stop it first (Ctrl-C in its terminal), ` +
      `or run a second one on its own folder: npm start -- --data-dir /tmp/sandbox-2 --random-ports.`,
  );
}
