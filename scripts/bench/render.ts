// Benchmark: pages per second (median of several rounds) for the kit's gateway page rendered
// through the Power Pages emulation (page lookup, objects, header + page + footer, portal filters
// and tags) against plain liquidjs rendering the same three web templates with the same data.
// The baseline gets the templates pre-parsed and `elseif` already rewritten; everything else the
// emulation does is what is being measured. Target: emulation costs less than 2x.
import { verdict } from "../lib/bench-report";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";
import { loadSiteFolder, pageUrlOf } from "../../power-pages/index";
import { defaultFixtures } from "../../portal-emulator/fixtures";
import { buildPortalScope } from "../../portal-emulator/portal-scope";
import { createSiteRenderer } from "../../portal-emulator/render-page";
import { rewriteElseif } from "../../portal-emulator/template-source";
import { runBuild } from "../build/run-build";

export const name = "render";
export const describe =
  "gateway page through the Power Pages Liquid emulation vs plain liquidjs (pages/s, median)";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const rounds = 7;
const pagesPerRound = 150;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function pagesPerSecond(renderOnce: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 30; i++) await renderOnce();
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < pagesPerRound; i++) await renderOnce();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    results.push(pagesPerRound / seconds);
  }
  return median(results);
}

/** A copy of the standard fixture with the kit's gateway page built in; falls back to the Event page. */
async function prepareSite(): Promise<{ dir: string; path: string; label: string }> {
  const dir = mkdtempSync(join(tmpdir(), "bench-render-"));
  cpSync(join(repoRoot, "test", "fixtures", "standard-site"), dir, { recursive: true });
  try {
    await runBuild({ repoRoot, kitVersion: "0.0.0-bench", outDir: null, site: dir });
    return { dir, path: "/payment-gateway/", label: "gateway page" };
  } catch (error) {
    process.stderr.write(
      `bench render: the build failed (${error instanceof Error ? error.message : String(error)}); measuring the Event page instead\n`,
    );
    return { dir, path: "/event/", label: "fixture Event page" };
  }
}

export async function run(): Promise<void> {
  const { dir, path, label } = await prepareSite();
  try {
    const site = loadSiteFolder(dir);
    const renderer = createSiteRenderer({ site, fixtures: defaultFixtures });
    const url = `http://127.0.0.1${path}?id=evt_1&purchaseId=p1`;
    const check = await renderer.renderPage({ url, language: "en-US" });
    if (check.status !== 200)
      throw new Error(`the ${label} answered ${check.status}: ${check.body.slice(0, 300)}`);

    const page = site.webPages.find((p) => pageUrlOf(site, p) === path);
    const pageTemplate = site.pageTemplates.find((t) => t.id === page?.pageTemplateId);
    const sources = [
      site.website.headerWebTemplateId,
      pageTemplate?.webTemplateId,
      site.website.footerWebTemplateId,
    ].map((id) => site.webTemplates.find((t) => t.id === id)?.source ?? "");
    const language = site.languages.find((l) => l.code === "en-US") ?? site.languages[0];
    if (!page || !language) throw new Error("bench render: the fixture lost its page or language");
    const scope = buildPortalScope({
      site,
      page,
      language,
      request: { url },
      user: undefined,
      fixtures: defaultFixtures,
      now: new Date(),
      urlOf: (p) => pageUrlOf(site, p),
      isPublished: () => true,
    });
    const plain = new Liquid();
    const parsed = sources.map((source) => plain.parse(rewriteElseif(source)));
    const renderPlain = async () => {
      const [header, body, footer] = await Promise.all(parsed.map((t) => plain.render(t, scope)));
      return `<!DOCTYPE html><html><head></head><body>${header}<div class="wrapper-body">${body}</div>${footer}</body></html>`;
    };

    const emulated = await pagesPerSecond(() => renderer.renderPage({ url, language: "en-US" }));
    const baseline = await pagesPerSecond(renderPlain);
    const ratio = baseline / emulated;
    process.stdout.write(
      `${label} (${check.body.length} bytes), median of ${rounds} rounds x ${pagesPerRound} pages\n` +
        `  plain liquidjs (baseline): ${baseline.toFixed(0)} pages/s\n` +
        `  Power Pages emulation:     ${emulated.toFixed(0)} pages/s\n` +
        `  emulation cost: ${ratio.toFixed(2)}x the baseline time (target < 2x) ${verdict(ratio < 2)}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
