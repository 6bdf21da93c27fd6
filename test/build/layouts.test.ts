// Both layouts pac writes (root list files, one file per record), both key styles, bare language
// codes and CRLF files: the build writes each table the way the site keeps it, stays idempotent
// across a round trip through the layout a download gives, and agrees with validate.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  contentPageFileOf,
  contentPageLayoutOf,
  formatRecordList,
  loadSiteFolder,
  parseRecordYaml,
  styleRecord,
} from "../../power-pages";
import { matchLanguageCode } from "../../power-pages/language-match";
import type { BuildError } from "../../scripts/build/errors";
import { runBuild } from "../../scripts/build/run-build";
import { failingProblems, validateSiteFolder } from "../../scripts/build/validate";
import { copySite, removeTemps, snapshot, testBuild } from "./helpers";

afterEach(removeTemps);

const settingNames = (site: string) => loadSiteFolder(site).siteSettings.map((s) => s.name);

describe("one file per record", () => {
  it("writes settings and content pages the way the site keeps them, never a root sitesetting.yml", async () => {
    const site = copySite("perRecord");
    const result = await runBuild(testBuild(site));
    expect(result.overlay?.keyStyle).toBe("bare");
    expect(existsSync(join(site, "sitesetting.yml"))).toBe(false);
    const endpoint = readFileSync(
      join(site, "site-settings", "PaymentGateway-EndpointUrl.sitesetting.yml"),
      "utf8",
    );
    expect(endpoint).toMatch(/^name: PaymentGateway\/EndpointUrl$/m);
    expect(endpoint).toMatch(/^id: /m);
    const content = join(site, "web-pages", "payment-gateway", "content-pages");
    expect(existsSync(join(content, "fr-FR", "Payment-Gateway.webpage.yml"))).toBe(true);
    expect(existsSync(join(content, "en-US", "Payment-Gateway.webpage.copy.html"))).toBe(true);
    expect(failingProblems(validateSiteFolder(site).problems)).toEqual([]);
  });

  it("stays idempotent through the layout a download gives, and clears the duplicates an older build left", async () => {
    const site = copySite("perRecord");
    await runBuild(testBuild(site));
    const built = snapshot(site);
    // An older kit wrote its settings into a root list; the next download added one file per setting.
    const ours = loadSiteFolder(site).siteSettings.filter((s) => s.name.startsWith("PaymentGateway/"));
    writeFileSync(
      join(site, "sitesetting.yml"),
      formatRecordList(ours.map((s) => styleRecord("bare", "sitesetting", s.data))),
    );
    expect(validateSiteFolder(site).problems.map((p) => p.code)).toContain("DUPLICATE_NAME");
    await runBuild(testBuild(site));
    expect(readFileSync(join(site, "sitesetting.yml"), "utf8")).toBe("[]\n");
    rmSync(join(site, "sitesetting.yml"));
    expect(snapshot(site)).toEqual(built);
    await runBuild(testBuild(site));
    expect(snapshot(site)).toEqual(built);
    const names = settingNames(site);
    expect(names.filter((n) => n === "PaymentGateway/EndpointUrl")).toHaveLength(1);
  });
});

describe("stock download: en/fr codes, CRLF settings, tolerated duplicates", () => {
  it("gives the fr page its French title, keeps CRLF, and builds over warnings only", async () => {
    const site = copySite("stock");
    const before = validateSiteFolder(site).problems;
    expect(before.map((p) => [p.severity, p.code])).toEqual([
      ["warning", "DUPLICATE_NAME"],
      ["warning", "DUPLICATE_NAME"],
    ]);
    await runBuild(testBuild(site));
    const fr = readFileSync(
      join(site, "web-pages", "payment-gateway", "content-pages", "Payment-Gateway.fr.webpage.yml"),
      "utf8",
    );
    expect(fr).toMatch(/^adx_title: Paiement$/m);
    const settings = readFileSync(join(site, "sitesetting.yml"), "utf8");
    expect(settings).toContain("PaymentGateway/EndpointUrl");
    expect(settings.replace(/\r\n/g, "")).not.toContain("\n");
    const once = snapshot(site);
    await runBuild(testBuild(site));
    expect(snapshot(site)).toEqual(once);
  });
});

describe("mixed key styles", () => {
  it("names a website.yml that mixes adx_ and bare keys, in validate and in the build alike", async () => {
    const site = copySite("standard");
    const file = join(site, "website.yml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("adx_footerwebtemplateid:", "footerwebtemplateid:"),
    );
    const { problems } = validateSiteFolder(site);
    expect(problems.map((p) => [p.severity, p.code])).toEqual([["error", "KEY_STYLE_MIXED"]]);
    expect(problems[0]?.message).toMatch(
      /mixes adx_ and bare keys: website\.yml lines 1, 3-6 \(adx_\) and lines 2 \(bare\)/,
    );
    const error = (await runBuild(testBuild(site)).catch((e: unknown) => e)) as BuildError;
    expect(error.code).toBe("KEY_STYLE_MIXED");
  });

  it("reads files in the other style than website.yml and warns, naming them", () => {
    const site = copySite("standard");
    const file = join(site, "webrole.yml");
    const records = parseRecordYaml(readFileSync(file, "utf8"), "webrole.yml").records;
    writeFileSync(
      file,
      records.map((r) => `- id: ${String(r.adx_webroleid)}\n  name: ${String(r.adx_name)}\n`).join(""),
    );
    const { problems } = validateSiteFolder(site);
    expect(problems.map((p) => [p.severity, p.code, p.file])).toEqual([
      ["warning", "KEY_STYLE_MIXED", "webrole.yml"],
    ]);
    expect(problems[0]?.message).toContain("webrole.yml lines 1-4");
  });

  it("does not take the unprefixed system columns of a download for bare keys", () => {
    const site = copySite("standard");
    const file = join(site, "web-templates", "home", "Home.webtemplate.yml");
    writeFileSync(file, `${readFileSync(file, "utf8")}importsequencenumber: 1\n`);
    expect(validateSiteFolder(site).problems).toEqual([]);
  });
});

describe("validate agrees with the build", () => {
  it.each([
    ["SITE_NO_HOME_PAGE", "web-pages/home/Home.webpage.yml"],
    ["SITE_NO_LANGUAGE", ".portalconfig/portallanguage.yml"],
  ])("reports %s as an error when the build refuses it", async (code, removed) => {
    const site = copySite("standard");
    rmSync(join(site, removed));
    const errors = failingProblems(validateSiteFolder(site).problems).map((p) => p.code);
    expect(errors).toContain(code);
    const error = (await runBuild(testBuild(site)).catch((e: unknown) => e)) as BuildError;
    expect(error.code).toBe(code);
  });
});

describe("content page naming", () => {
  it("follows the site: flat, a folder per language, with or without the code in the name", () => {
    expect(contentPageFileOf("flat", "c", "P", "fr")).toBe("c/P.fr.webpage.yml");
    expect(contentPageFileOf("folder", "c", "P", "fr")).toBe("c/fr/P.webpage.yml");
    expect(contentPageFileOf("folder-with-code", "c", "P", "fr")).toBe("c/fr/P.fr.webpage.yml");
    expect(contentPageLayoutOf(loadSiteFolder(copySite("perRecord")))).toBe("folder");
    expect(contentPageLayoutOf(loadSiteFolder(copySite("standard")))).toBe("flat");
  });
});

describe("language codes", () => {
  it("falls back from fr-FR to fr and back, exact first", () => {
    expect(matchLanguageCode(["en-US", "fr-FR"], "fr")).toBe("fr-FR");
    expect(matchLanguageCode(["en", "fr"], "fr-FR")).toBe("fr");
    expect(matchLanguageCode(["fr-CA", "fr", "fr-FR"], "fr-FR")).toBe("fr-FR");
    expect(matchLanguageCode(["fr-CA", "fr"], "fr-BE")).toBe("fr");
    expect(matchLanguageCode(["en-US"], "de")).toBeUndefined();
  });
});
