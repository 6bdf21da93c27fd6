import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateSiteFolder } from "../../scripts/build/validate";
import { copySite, removeTemps } from "./helpers";

afterEach(removeTemps);

function edit(site: string, file: string, from: string, to: string): void {
  const path = join(site, file);
  const text = readFileSync(path, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(path, text.replace(from, to));
}

type Breakage = (site: string) => void;
const breakages: Record<string, Breakage> = {
  LOOKUP_MISSING: (s) =>
    edit(
      s,
      "page-templates/Event.pagetemplate.yml",
      "adx_webtemplateid: aaaaaaaa-0001-4000-8000-000000000015",
      "adx_webtemplateid: aaaaaaaa-0001-4000-8000-0000000000ff",
    ),
  DUPLICATE_NAME: (s) =>
    edit(s, "web-templates/event/Event.webtemplate.yml", "adx_name: Event", "adx_name: Home"),
  DUPLICATE_PARTIAL_URL: (s) =>
    edit(s, "web-pages/about/About.webpage.yml", "adx_partialurl: about", "adx_partialurl: event"),
  PARTIAL_URL_INVALID: (s) =>
    edit(s, "web-pages/about/About.webpage.yml", "adx_partialurl: about", "adx_partialurl: about/us"),
  TEXT_TOO_LONG: (s) =>
    writeFileSync(join(s, "web-templates/home/Home.webtemplate.source.html"), "x".repeat(1_048_577)),
  SECRET_FOUND: (s) =>
    writeFileSync(
      join(s, "web-templates/home/Home.webtemplate.source.html"),
      "<script>var k='sk_live_0123456789abcdefghij';</script>\n",
    ),
  WEBSITE_ID_IN_RECORD: (s) =>
    edit(
      s,
      "sitemarker.yml",
      "- adx_name: Event\n",
      "- adx_name: Event\n  adx_websiteid: aaaaaaaa-0001-4000-8000-000000000001\n",
    ),
  REQUIRED_LOOKUP_EMPTY: (s) =>
    edit(
      s,
      "web-pages/event/Event.webpage.yml",
      "adx_pagetemplateid: aaaaaaaa-0001-4000-8000-000000000022",
      "adx_pagetemplateid:",
    ),
  RECORD_FILE_INVALID: (s) => writeFileSync(join(s, "sitemarker.yml"), "- adx_name: [unclosed\n"),
};

describe("validateSiteFolder", () => {
  it.each(["standard", "enhanced"] as const)("finds no problem in the %s fixture", (which) => {
    expect(validateSiteFolder(copySite(which)).problems).toEqual([]);
  });

  it.each(Object.keys(breakages))("reports %s", (code) => {
    const site = copySite("standard");
    breakages[code]?.(site);
    const { problems } = validateSiteFolder(site);
    expect(problems.map((p) => p.code)).toEqual([code]);
    expect(problems[0]?.message).toMatch(/\S+: /);
  });

  it("reports a page summary over 25,000 characters, naming the limit", () => {
    const site = copySite("standard");
    const summary = join(site, "web-pages/about/content-pages/About.en-US.webpage.summary.html");
    writeFileSync(summary, "x".repeat(25_000));
    expect(validateSiteFolder(site).problems).toEqual([]);
    writeFileSync(summary, "x".repeat(25_001));
    const { problems } = validateSiteFolder(site);
    expect(problems.map((p) => [p.code, p.file])).toEqual([
      ["TEXT_TOO_LONG", "web-pages/about/content-pages/About.en-US.webpage.yml"],
    ]);
    expect(problems[0]?.message).toMatch(/the summary is 25001 characters; Dataverse stores at most 25000/);
  });

  it("reports every problem of a folder with several at once", () => {
    const site = copySite("enhanced");
    const codes = [
      "LOOKUP_MISSING",
      "DUPLICATE_NAME",
      "PARTIAL_URL_INVALID",
      "SECRET_FOUND",
      "WEBSITE_ID_IN_RECORD",
    ];
    edit(
      site,
      "page-templates/Event.pagetemplate.yml",
      "adx_webtemplateid: aaaaaaaa-0002-4000-8000-000000000015",
      "adx_webtemplateid: aaaaaaaa-0002-4000-8000-0000000000ff",
    );
    edit(site, "web-templates/event/Event.webtemplate.yml", "adx_name: Event", "adx_name: Home");
    edit(site, "web-pages/about/About.webpage.yml", "adx_partialurl: about", "adx_partialurl: about.html");
    writeFileSync(
      join(site, "web-templates/home/Home.webtemplate.source.html"),
      "whsec_0123456789abcdefgh\n",
    );
    edit(site, "sitemarker.yml", "- adx_name: Event\n", "- adx_name: Event\n  adx_websiteid: x\n");
    const { problems } = validateSiteFolder(site);
    expect(problems.map((p) => p.code).sort()).toEqual([...codes].sort());
  });

  it("reports every unreadable record file, not only the first", () => {
    const site = copySite("standard");
    writeFileSync(join(site, "sitemarker.yml"), "- a: [\n");
    writeFileSync(join(site, "webrole.yml"), "- b: {\n");
    expect(validateSiteFolder(site).problems.map((p) => p.file)).toEqual(["sitemarker.yml", "webrole.yml"]);
  });

  it("says what produces a site folder when website.yml is missing", () => {
    const site = copySite("standard");
    rmSync(join(site, "website.yml"));
    const { problems } = validateSiteFolder(site);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/pac pages download --path/);
  });
});
