// Benchmark: the full `npm run build -- --site <dir>` work in-process (definitions, esbuild bundle of
// gateway-client/, template rendering, dist/ output, overlay with both validations) on a fresh copy
// of the standard fixture site, median of repeated runs. Baseline: copying that same site folder,
// timed in the same loop, so the ratio says how many plain copies of the site one build costs.
// A second line shows the build with the client bundle precomputed (esbuild skipped).
import { verdict } from "../lib/bench-report";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleClient } from "../build/bundle-client";
import { runBuild } from "../build/run-build";

export const name = "build";
export const describe = "full --site build (median ms) vs copying the same site folder";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const fixture = join(repoRoot, "test", "fixtures", "standard-site");
const runs = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "epg-bench-build-"));
  try {
    const client = await bundleClient(join(repoRoot, "gateway-client"));
    const copyTimes: number[] = [];
    const buildTimes: number[] = [];
    const buildNoBundleTimes: number[] = [];
    for (let i = -2; i < runs; i++) {
      const copyStart = process.hrtime.bigint();
      cpSync(fixture, join(work, `copy-${i}`), { recursive: true });
      const copyMs = elapsedMs(copyStart);

      cpSync(fixture, join(work, `site-${i}`), { recursive: true });
      const buildStart = process.hrtime.bigint();
      await runBuild({
        repoRoot,
        kitVersion: "bench",
        outDir: join(work, `dist-${i}`),
        site: join(work, `site-${i}`),
      });
      const buildMs = elapsedMs(buildStart);

      cpSync(fixture, join(work, `site-nb-${i}`), { recursive: true });
      const noBundleStart = process.hrtime.bigint();
      await runBuild({
        repoRoot,
        kitVersion: "bench",
        outDir: join(work, `dist-nb-${i}`),
        site: join(work, `site-nb-${i}`),
        client,
      });
      const noBundleMs = elapsedMs(noBundleStart);

      if (i >= 0) {
        copyTimes.push(copyMs);
        buildTimes.push(buildMs);
        buildNoBundleTimes.push(noBundleMs);
      }
    }
    const copy = median(copyTimes);
    const build = median(buildTimes);
    const noBundle = median(buildNoBundleTimes);
    process.stdout.write(
      `runs: ${runs} (after 2 warm-up runs), site: test/fixtures/standard-site\n` +
        `baseline  copy of the site folder     ${copy.toFixed(1)} ms\n` +
        `build     full --site build           ${build.toFixed(1)} ms  (${(build / copy).toFixed(1)}x baseline)\n` +
        `build     with esbuild skipped        ${noBundle.toFixed(1)} ms  (${(noBundle / copy).toFixed(1)}x baseline)\n` +
        `target    full build well under 1000 ms: ${verdict(build < 1000)}\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
