// Writes a set of files into a folder all-or-nothing: every new file is first written to a staging
// folder, then moved into place while the files it replaces are kept aside, so a failure (or a
// failed validation afterwards) can put the folder back exactly as it was.

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  readdirSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BuildError } from "./errors";

export interface PlannedFile {
  /** Path relative to the target folder, `/` separators. */
  path: string;
  content: string;
}

export interface AppliedFiles {
  /** Files whose bytes changed (created or replaced). */
  changed: string[];
  /** Files that already held exactly these bytes (left untouched). */
  unchanged: string[];
  /** Puts the folder back as it was before `applyFiles`. */
  rollback(): void;
  /** Forgets the kept-aside copies. */
  commit(): void;
}

export function applyFiles(root: string, files: readonly PlannedFile[]): AppliedFiles {
  const changed: PlannedFile[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const target = join(root, file.path);
    if (existsSync(target) && readFileSync(target, "utf8") === file.content) unchanged.push(file.path);
    else changed.push(file);
  }
  if (changed.length === 0) {
    return { changed: [], unchanged, rollback: () => undefined, commit: () => undefined };
  }

  const stage = makeStage(root);
  const done: Array<{ target: string; backup: string | null }> = [];
  const createdDirs: string[] = [];
  const rollback = (): void => {
    for (const step of done.reverse()) {
      rmSync(step.target, { force: true });
      if (step.backup) moveFile(step.backup, step.target);
    }
    done.length = 0;
    for (const dir of createdDirs.reverse()) {
      if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
    }
    rmSync(stage, { recursive: true, force: true });
  };
  try {
    changed.forEach((file, index) => writeFileSync(join(stage, `new-${index}`), file.content, "utf8"));
    changed.forEach((file, index) => {
      const target = join(root, file.path);
      ensureDir(dirname(target), createdDirs);
      let backup: string | null = null;
      if (existsSync(target)) {
        backup = join(stage, `old-${index}`);
        moveFile(target, backup);
      }
      done.push({ target, backup });
      moveFile(join(stage, `new-${index}`), target);
    });
  } catch (cause) {
    rollback();
    throw new BuildError(
      "WRITE_FAILED",
      `Could not write into ${root} (${(cause as Error).message}); the folder was left as it was. Check permissions and free space.`,
      {
        file: root,
        cause,
      },
    );
  }
  return {
    changed: changed.map((f) => f.path),
    unchanged,
    rollback,
    commit: () => rmSync(stage, { recursive: true, force: true }),
  };
}

/** A staging folder on the same file system as `root` when possible (so moves are renames). */
function makeStage(root: string): string {
  try {
    return mkdtempSync(join(dirname(root), ".epg-build-"));
  } catch {
    return mkdtempSync(join(tmpdir(), "epg-build-"));
  }
}

function ensureDir(dir: string, created: string[]): void {
  if (existsSync(dir)) return;
  ensureDir(dirname(dir), created);
  mkdirSync(dir);
  created.push(dir);
}

function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    copyFileSync(from, to);
    unlinkSync(from);
  }
}
