// The kit's gateway page, built into a copy of each fixture site, renders through the preview
// pipeline with the site's header and footer in both languages.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadSiteFolder } from "../../../power-pages/index";
import { runBuild } from "../../../scripts/build/run-build";
import { defaultFixtures } from "../../../sandbox/portal/fixtures";
import { createSiteRenderer } from "../../../sandbox/portal/render-page";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.each(["standard-site", "enhanced-site"])("gateway page built into %s", (siteName) => {
  it("renders with status 200, header, footer and the gateway root in en-US and fr-FR", async () => {
    const dir = mkdtempSync(join(tmpdir(), "portal-gateway-"));
    made.push(dir);
    cpSync(join(repoRoot, "test", "fixtures", siteName), dir, { recursive: true });
    const result = await runBuild({ repoRoot, kitVersion: "0.0.0-test", outDir: null, site: dir });
    expect(result.overlay).not.toBeNull();
    const renderer = createSiteRenderer({ site: loadSiteFolder(dir), fixtures: defaultFixtures });
    const gateway = renderer.listPages().find((p) => p.url === "/payment-gateway/");
    expect(gateway, "the build adds /payment-gateway/").toBeDefined();
    for (const language of ["en-US", "fr-FR"]) {
      const response = await renderer.renderPage({ url: "http://127.0.0.1/payment-gateway/?id=evt_1&purchaseId=p1", language });
      expect(response.status, response.body.slice(0, 400)).toBe(200);
      expect(response.body).toContain('<header class="site-header">');
      expect(response.body).toContain('<footer class="site-footer">');
      expect(response.body).toContain('id="epg-root"');
      expect(response.body).toContain(`<html lang="${language}">`);
    }
  });
});
