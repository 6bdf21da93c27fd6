// node-postgres is loaded by the PostgreSQL store only: an endpoint on SQLite (the default) must not
// pay for it in memory (docs/ingest-profile.md, "Memory"). Each case runs in a fresh node process,
// opens a store through openStore as every host does, uses it, and reports which of pg's files
// that process has loaded.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const openStoreModule = fileURLToPath(
  new URL("../../confirmation-endpoint/store/open-store.ts", import.meta.url),
);

/** Runs `use` (the body of an async function given `store`) in a child; returns pg's loaded files. */
function pgFilesLoadedAfter(storeUrl: string, use: string): number {
  const script = `
    import { createRequire } from "node:module";
    import { openStore } from ${JSON.stringify(openStoreModule)};
    import { parseStoreUrl } from ${JSON.stringify(openStoreModule.replace(/open-store\.ts$/, "store-url.ts"))};
    const store = openStore(parseStoreUrl(${JSON.stringify(storeUrl)}, {}));
    await (async (store) => { ${use} })(store);
    const cache = createRequire(import.meta.url).cache;
    const pg = Object.keys(cache).filter((file) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(file));
    process.stdout.write(String(pg.length));
    process.exit(0);
  `;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`the child failed (${child.status}): ${child.stderr}`);
  return Number(child.stdout.trim());
}

describe("loading node-postgres", () => {
  it("a SQLite store, opened and used, loads none of pg's files", () => {
    const loaded = pgFilesLoadedAfter(
      "sqlite::memory:",
      `await store.ping(); await store.summary(); await store.close();`,
    );
    expect(loaded).toBe(0);
  }, 60_000);

  it("a PostgreSQL store loads pg on its first use (what the check above would see)", () => {
    // Nothing listens on port 1: the ping fails, after node-postgres was loaded to try.
    const loaded = pgFilesLoadedAfter(
      "postgres://app@127.0.0.1:1/gateway?sslmode=disable",
      `await store.ping().catch(() => undefined); await store.close();`,
    );
    expect(loaded).toBeGreaterThan(0);
  }, 60_000);
});
