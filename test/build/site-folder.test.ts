import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  findHomePage,
  findPublishedState,
  findSiteFolder,
  formatRecordList,
  formatRecordMap,
  formatScalar,
  loadSiteFolder,
  pageUrlOf,
  parseRecordYaml,
  SiteFolderError,
  styleRecord,
} from "../../power-pages";
import { fixturesDir, makeTemp, removeTemps } from "./helpers";

const standard = join(fixturesDir, "standard-site");
const enhanced = join(fixturesDir, "enhanced-site");
afterEach(removeTemps);

describe("loadSiteFolder", () => {
  it("finds the site folder one level down, as pac download lays it out", () => {
    expect(findSiteFolder(standard)).toBe(join(standard, "contoso-events---contosoevents"));
  });

  it("reads the standard fixture into typed records", () => {
    const site = loadSiteFolder(standard);
    expect(site.keyStyle).toBe("adx");
    expect(site.website.id).toBe("aaaaaaaa-0001-4000-8000-000000000001");
    expect(site.languages.map((l) => l.code)).toEqual(["en-US", "fr-FR"]);
    expect(findPublishedState(site)?.id).toBe("aaaaaaaa-0001-4000-8000-000000000002");
    const home = findHomePage(site);
    expect(home?.name).toBe("Home");
    expect(home?.contentPages).toHaveLength(2);
    expect(home?.contentPages[0]?.copy).toContain("Welcome");
    expect(site.webPages).toHaveLength(4);
    const confirmation = site.webPages.find((p) => p.name === "Confirmation");
    expect(confirmation && pageUrlOf(site, confirmation)).toBe("/event/confirmation/");
    const header = site.webTemplates.find((t) => t.id === site.website.headerWebTemplateId);
    expect(header?.source).toContain("weblinks['Default']");
    expect(site.siteSettings.find((s) => s.name === "Search/Enabled")?.value).toBe("false");
    expect(site.weblinkSets.find((s) => s.name === "Default")?.weblinks.map((w) => w.name)).toEqual([
      "Home",
      "Event",
      "About",
    ]);
    expect(site.siteMarkers.map((m) => m.name)).toContain("Home");
    expect(site.contentSnippets.find((s) => s.name === "Site Name")?.value).toBe("Contoso Events");
  });

  it("joins enhanced website languages to portal languages with the same id", () => {
    const site = loadSiteFolder(enhanced);
    expect(site.website.data.adx_defaultbotconsumerid).toBeTruthy();
    expect(site.languages.map((l) => [l.id === l.portalLanguageId, l.code])).toEqual([
      [true, "en-US"],
      [true, "fr-FR"],
    ]);
    const about = site.webPages.find((p) => p.name === "About");
    expect(about?.contentPages[0]?.customCss).toContain("color");
  });

  it("reads a bare-key folder to the same adx_ records", () => {
    const dir = makeTemp("pp-bare-");
    cpSync(join(standard, "contoso-events---contosoevents"), dir, { recursive: true });
    for (const [file, kind] of [
      ["website.yml", "website"],
      ["web-pages/home/Home.webpage.yml", "webpage"],
    ] as const) {
      const parsed = parseRecordYaml(readFileSync(join(dir, file), "utf8"), file);
      writeFileSync(join(dir, file), formatRecordMap(styleRecord("bare", kind, parsed.records[0] ?? {})));
    }
    expect(readFileSync(join(dir, "website.yml"), "utf8")).toMatch(/^id: aaaaaaaa-0001/m);
    const site = loadSiteFolder(dir);
    expect(site.keyStyle).toBe("bare");
    expect(site.website.name).toBe("Contoso Events - contosoevents");
    expect(findHomePage(site)?.id).toBe("aaaaaaaa-0001-4000-8000-000000000030");
  });

  it("says which pac command produces a site folder when there is none", () => {
    const dir = makeTemp("pp-empty-");
    expect(() => loadSiteFolder(dir)).toThrow(SiteFolderError);
    expect(() => loadSiteFolder(dir)).toThrow(/pac pages download --path/);
  });
});

describe("record YAML", () => {
  it("re-emits every fixture record file byte for byte", () => {
    for (const base of [standard, enhanced]) {
      const site = loadSiteFolder(base);
      for (const rf of site.recordFiles) {
        const text = readFileSync(join(site.root, rf.file), "utf8");
        const again =
          rf.shape === "map" ? formatRecordMap(rf.records[0] ?? {}) : formatRecordList(rf.records);
        expect(again, rf.file).toBe(text);
      }
    }
  });

  it("quotes scalars that would read back as something else", () => {
    for (const value of [
      "true",
      "123",
      "a: b",
      "x #y",
      " lead",
      "trail ",
      "null",
      "~",
      "",
      "é ok",
      "line\nbreak",
      "2024-01-01",
      "{a}",
    ]) {
      const doc = parse(`k: ${formatScalar(value)}`) as { k: unknown };
      expect(doc.k, value).toBe(value);
    }
    expect(formatScalar("Payment Gateway")).toBe("Payment Gateway");
    expect(formatScalar(null)).toBe("");
  });
});
