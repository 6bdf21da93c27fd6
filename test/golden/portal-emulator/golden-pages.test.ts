// Golden HTML: Home and Event of both fixture sites, in en-US and fr-FR, rendered through the
// emulation with a fixed clock. Regenerate with UPDATE_GOLDEN=1 after an intended change, and
// read the diff before committing it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSiteFolder } from "../../../power-pages/index";
import { defaultFixtures } from "../../../portal-emulator/fixtures";
import { createSiteRenderer } from "../../../portal-emulator/render-page";

const fixtureDir = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}/`, import.meta.url));
const goldenFile = (name: string) => fileURLToPath(new URL(`./${name}.html`, import.meta.url));
const now = new Date(Date.UTC(2026, 10, 26, 9, 30, 0));

const expectations = {
  "en-US": { home: "Home", footer: "All rights reserved" },
  "fr-FR": { home: "Accueil", footer: "Tous droits réservés" },
} as const;

describe.each(["standard-site", "enhanced-site"])("%s", (siteName) => {
  const renderer = createSiteRenderer({ site: loadSiteFolder(fixtureDir(siteName)), fixtures: defaultFixtures });

  it.each([
    ["home", "/", "en-US"],
    ["home", "/", "fr-FR"],
    ["event", "/event/?id=contoso_expo_2026", "en-US"],
    ["event", "/event/?id=contoso_expo_2026", "fr-FR"],
  ] as const)("%s page %s in %s matches its golden HTML", async (pageName, path, language) => {
    const response = await renderer.renderPage({ url: `http://127.0.0.1${path}`, language, now });
    expect(response.status).toBe(200);
    expect(response.body).toContain('<header class="site-header">');
    expect(response.body).toContain('<footer class="site-footer">');
    expect(response.body).toContain(expectations[language].footer);
    expect(response.body).toContain(`<html lang="${language}">`);
    if (pageName === "home") expect(response.body).toContain(`<h1>${expectations[language].home}</h1>`);
    expect(response.body).toContain('class="xrm-attribute-value"><p>');
    const file = goldenFile(`${siteName}-${pageName}-${language}`);
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, response.body);
    expect(existsSync(file), `golden file ${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(response.body).toBe(readFileSync(file, "utf8"));
  });
});
