// The kit's gateway page, built into a copy of each fixture site, renders through the preview
// pipeline with the site's header and footer in both languages.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadSiteFolder } from "../../../power-pages/index";
import { runBuild } from "../../../scripts/build/run-build";
import { defaultFixtures } from "../../../portal-emulator/fixtures";
import { createSiteRenderer } from "../../../portal-emulator/render-page";

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
      expect(response.body.match(/<!DOCTYPE|<html\b|<head\b|<body\b/gi)).toHaveLength(4);
    }
  });
});

describe("gateway page with the site header and footer off", () => {
  it("is served as a complete document in standards mode, without the site's layout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "portal-gateway-bare-"));
    made.push(dir);
    cpSync(join(repoRoot, "test", "fixtures", "standard-site"), dir, { recursive: true });
    const config = join(dir, "no-header.yml");
    writeFileSync(config, "pageTemplate:\n  useWebsiteHeaderAndFooter: false\n");
    await runBuild({ repoRoot, kitVersion: "0.0.0-test", outDir: null, site: dir, configFile: config });
    const site = loadSiteFolder(dir);
    expect(site.pageTemplates.find((t) => t.name === "Payment Gateway")?.useWebsiteHeaderAndFooter).toBe(false);
    const renderer = createSiteRenderer({ site, fixtures: defaultFixtures });
    const response = await renderer.renderPage({
      url: "http://127.0.0.1/payment-gateway/?id=evt_1&purchaseId=p1",
      language: "fr-FR",
    });
    expect(response.status, response.body.slice(0, 400)).toBe(200);
    expect(response.body.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(response.body).not.toContain('<header class="site-header">');
    // A doctype first is what keeps the browser out of quirks mode; the test of the template itself
    // (test/gateway-client/template-config.test.ts) checks compatMode in a DOM.
    const [head = "", body = ""] = response.body.split("</head>\n<body>");
    expect(head).toMatch(/^<!DOCTYPE html>\n<html lang="fr-FR">\n<head>\n<meta charset="utf-8">/);
    expect(head).toContain("<title>Paiement</title>");
    expect(head).toMatch(/<style>[^<]+<\/style>/);
    expect(body).toContain('id="epg-root"');
    expect(body.trimEnd().endsWith("</body>\n</html>")).toBe(true);
    expect(response.body.match(/<html/gi)).toHaveLength(1);
  });
});
