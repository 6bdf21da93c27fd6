// Lists the kit's own source files under a folder: what the long-function report reads. Tests,
// installed packages and generated output are not the kit's code to cut down.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const SKIPPED_FOLDERS = new Set(["node_modules", "test", "dist", "data", "coverage", "test-output", ".git"]);
const SOURCE_FILE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;

/** Paths relative to `root`, with forward slashes, sorted. */
export function listSourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (entry.isFile() && SOURCE_FILE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.push(relative(root, path).split("\\").join("/"));
      }
    }
  };
  walk(root);
  return files.sort();
}
