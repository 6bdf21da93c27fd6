// What issue #18 asks of every new fixture shape, end to end: the build succeeds, validate finds
// no error (warnings allowed), a second build leaves every byte alone, and the preview serves Home
// and the gateway page with header and footer and no Liquid left over.
import { afterEach, describe, expect, it } from "vitest";
import { loadSiteFolder } from "../../power-pages";
import { defaultFixtures } from "../../portal-emulator/fixtures";
import { createSiteRenderer } from "../../portal-emulator/render-page";
import { runBuild } from "../../scripts/build/run-build";
import { failingProblems, validateSiteFolder } from "../../scripts/build/validate";
import { copySite, removeTemps, snapshot, testBuild } from "./helpers";

afterEach(removeTemps);

/** Liquid delimiters outside <script> (the gateway page's inlined client may hold braces). */
const liquidLeft = (html: string): boolean => /\{%|\{\{/.test(html.replace(/<script[\s\S]*?<\/script>/g, ""));

describe.each(["perRecord", "stock", "mixedKeys"] as const)("the %s fixture", (which) => {
  it("builds, validates without errors, rebuilds byte-identically and previews Home and the gateway page", async () => {
    const site = copySite(which);
    const first = await runBuild(testBuild(site));
    expect(first.overlay?.changed.length).toBeGreaterThan(0);
    expect(failingProblems(validateSiteFolder(site).problems)).toEqual([]);
    const built = snapshot(site);
    const second = await runBuild(testBuild(site));
    expect(second.overlay?.changed).toEqual([]);
    expect(snapshot(site)).toEqual(built);

    const renderer = createSiteRenderer({ site: loadSiteFolder(site), fixtures: defaultFixtures });
    for (const path of ["/", "/payment-gateway/"]) {
      const page = await renderer.renderPage({ url: `http://127.0.0.1${path}` });
      expect(page.status, `${path}: ${page.error ?? ""}`).toBe(200);
      expect(page.body).toContain('<header class="site-header"');
      expect(page.body).toContain('<footer class="site-footer"');
      expect(page.body).not.toContain("pp-preview-error");
      expect(liquidLeft(page.body), path).toBe(false);
    }
  });
});
