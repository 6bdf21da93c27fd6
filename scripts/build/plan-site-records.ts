// Works out, without writing anything, the files the kit's records need in one site folder: ids,
// lookups into the site's own records, paths (in the layout the site already uses), and the merged
// site settings. Refuses (by throwing) when the site lacks what the records point at or already
// holds a record with our name/URL.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  formatRecordMap,
  contentPageFileOf,
  contentPageLayoutOf,
  pickForLanguage,
  primaryKeyOf,
  sideFile,
  styleRecord,
  toPacFileName,
  toPacFolderName,
} from "../../power-pages";
import type { RecordData, SiteFolder } from "../../power-pages";
import type { PlannedFile } from "./apply-files";
import type { Definitions } from "./definitions";
import { BuildError } from "./errors";
import { deriveRecordId } from "./kit-ids";
import { checkSiteAnchors } from "./site-anchors";
import type { SiteAnchors } from "./site-anchors";
import { planSiteSettings } from "./plan-site-settings";

export interface PlanInput {
  site: SiteFolder;
  definitions: Definitions;
  templateSource: string;
  /** Setting slot keys whose value must replace the one already in the site. */
  explicitSettingValues: ReadonlySet<string>;
  /** Take over records that already use our name or partial URL (keep their ids) instead of refusing. */
  force: boolean;
}

export interface SitePlan {
  files: PlannedFile[];
  ids: {
    webTemplate: string;
    pageTemplate: string;
    webPage: string;
    contentPages: Record<string, string>;
    siteSettings: Record<string, string>;
  };
  /** Site-relative URL of the gateway page, e.g. `/payment-gateway/`. */
  url: string;
  warnings: string[];
}

/** adx_type of a page template that renders a web template (756150000 is Rewrite). */
export const PAGE_TEMPLATE_TYPE_WEB_TEMPLATE = 756150001;
const FEEDBACK_POLICY_INHERIT = 756150000;

type Ids = SitePlan["ids"];
interface Paths {
  webTemplate: string;
  pageTemplate: string;
  webPage: string;
  contentPages: Record<string, string>;
}

export function planSiteRecords(input: PlanInput): SitePlan {
  const { site } = input;
  const check = checkSiteAnchors(site);
  const anchors = check.anchors;
  if (!anchors) {
    // No anchors means at least one refusal; the first is the one to fix first.
    const { code, file, message } = check.refusals[0]!;
    throw new BuildError(code, message, { file: join(site.root, file) });
  }
  const warnings = [...check.warnings];
  const clashes: string[] = [];
  const ids = pickRecordIds(input, anchors, warnings, clashes);
  const paths = claimRecordPaths(site, input.definitions, anchors, ids, clashes);
  if (clashes.length > 0) {
    throw new BuildError(
      "SITE_RECORD_CLASH",
      `${site.root}: records with the kit's names or partial URL already exist under other ids:\n${clashes.map((c) => `  - ${c}`).join("\n")}\n` +
        "Choose other names (--name, --partial-url or --config), or pass --force to take those records over (their ids are kept and their content replaced).",
      { file: site.root },
    );
  }
  const files = [
    ...planKitRecords(input, anchors, ids, paths),
    ...planSiteSettings(site, settingRecords(input, ids, warnings)),
  ].map((file) => keepLineEndings(site.root, file));
  return { files, ids, url: `/${input.definitions.webPage.partialUrl}/`, warnings };
}

/** Ids: derived, unless --force takes over a record that already carries our name or URL. */
function pickRecordIds(input: PlanInput, anchors: SiteAnchors, warnings: string[], clashes: string[]): Ids {
  const { site, definitions: defs, force } = input;
  const websiteId = site.website.id;
  const sameText = (a: string | null, b: string): boolean =>
    a !== null && a.toLowerCase() === b.toLowerCase();
  // When our own record is there too, the others are a clash even with --force (two records cannot be one).
  const pick = (what: string, derived: string, existing: Array<{ id: string; file: string }>): string => {
    const others = existing.filter((r) => r.id.toLowerCase() !== derived.toLowerCase());
    const taken = others[0];
    if (taken === undefined) return derived;
    if (force && others.length === existing.length) {
      warnings.push(`--force: taking over ${taken.file} (id ${taken.id}) for the ${what}.`);
      return taken.id;
    }
    clashes.push(`${what}: ${others.map((o) => `${o.file} (id ${o.id})`).join(", ")}`);
    return derived;
  };
  const derive = (table: string, name: string, language?: string): string =>
    deriveRecordId(websiteId, table, name, language);

  const webTemplate = pick(
    `web template named "${defs.webTemplate.name}"`,
    derive("adx_webtemplate", defs.webTemplate.name),
    site.webTemplates.filter((t) => sameText(t.name, defs.webTemplate.name)),
  );
  const pageTemplate = pick(
    `page template named "${defs.pageTemplate.name}"`,
    derive("adx_pagetemplate", defs.pageTemplate.name),
    site.pageTemplates.filter((t) => sameText(t.name, defs.pageTemplate.name)),
  );
  const homeId = anchors.home.id.toLowerCase();
  const siblings = site.webPages.filter((p) => p.parentPageId?.toLowerCase() === homeId);
  const webPage = pick(
    `web page under Home named "${defs.webPage.name}" or with partial URL "${defs.webPage.partialUrl}"`,
    derive("adx_webpage", defs.webPage.name),
    siblings.filter(
      (p) => sameText(p.name, defs.webPage.name) || sameText(p.partialUrl, defs.webPage.partialUrl),
    ),
  );
  const existingRoot = site.webPages.find((p) => p.id.toLowerCase() === webPage.toLowerCase());
  const contentPages: Record<string, string> = {};
  for (const language of anchors.languages) {
    const existing = (existingRoot?.contentPages ?? []).filter(
      (c) => c.languageId?.toLowerCase() === language.id.toLowerCase(),
    );
    contentPages[language.code] = pick(
      `${language.code} content page of "${defs.webPage.name}"`,
      derive("adx_webpage", defs.webPage.name, language.code),
      existing,
    );
  }
  const siteSettings: Record<string, string> = {};
  for (const [key, setting] of Object.entries(defs.siteSettings)) {
    siteSettings[key] = pick(
      `site setting named "${setting.name}"`,
      derive("adx_sitesetting", setting.name),
      site.siteSettings.filter((s) => sameText(s.name, setting.name)),
    );
  }
  return { webTemplate, pageTemplate, webPage, contentPages, siteSettings };
}

/** Paths: where a record with the id already lives, else pac's naming in the site's own layout. */
function claimRecordPaths(
  site: SiteFolder,
  defs: Definitions,
  anchors: SiteAnchors,
  ids: Ids,
  clashes: string[],
): Paths {
  const fileOf = (kind: string, id: string): string | undefined =>
    site.recordFiles.find(
      (rf) =>
        rf.kind === kind &&
        rf.records.some((r) => String(r[primaryKeyOf(kind)]).toLowerCase() === id.toLowerCase()),
    )?.file;
  const claim = (kind: string, id: string, canonical: string): string => {
    const existing = fileOf(kind, id);
    if (existing) return existing;
    if (existsSync(join(site.root, canonical)))
      clashes.push(`${canonical} already holds another ${kind} record (not id ${id})`);
    return canonical;
  };
  const { webTemplate: wt, pageTemplate: pt, webPage: wp } = defs;
  const webPage = claim(
    "webpage",
    ids.webPage,
    `web-pages/${toPacFolderName(wp.name)}/${toPacFileName(wp.name)}.webpage.yml`,
  );
  const contentFolder = `${webPage.slice(0, webPage.lastIndexOf("/"))}/content-pages`;
  const stem = webPage.slice(webPage.lastIndexOf("/") + 1).replace(/\.webpage\.yml$/, "");
  const layout = contentPageLayoutOf(site);
  const contentPages: Record<string, string> = {};
  for (const { code } of anchors.languages) {
    contentPages[code] = claim(
      "webpage",
      ids.contentPages[code]!,
      contentPageFileOf(layout, contentFolder, stem, code),
    );
  }
  return {
    webTemplate: claim(
      "webtemplate",
      ids.webTemplate,
      `web-templates/${toPacFolderName(wt.name)}/${toPacFileName(wt.name)}.webtemplate.yml`,
    ),
    pageTemplate: claim(
      "pagetemplate",
      ids.pageTemplate,
      `page-templates/${toPacFileName(pt.name)}.pagetemplate.yml`,
    ),
    webPage,
    contentPages,
  };
}

/** The web template (+ source), the page template, the root page and one content page (+ copy) per language. */
function planKitRecords(input: PlanInput, anchors: SiteAnchors, ids: Ids, paths: Paths): PlannedFile[] {
  const { definitions: defs } = input;
  const write = (kind: string, record: RecordData): string =>
    formatRecordMap(styleRecord(input.site.keyStyle, kind, record));
  const pageTemplate: RecordData = {
    adx_entityname: "adx_webpage",
    adx_isdefault: false,
    adx_name: defs.pageTemplate.name,
    adx_pagetemplateid: ids.pageTemplate,
    adx_type: PAGE_TEMPLATE_TYPE_WEB_TEMPLATE,
    adx_usewebsiteheaderandfooter: defs.pageTemplate.useWebsiteHeaderAndFooter,
    adx_webtemplateid: ids.webTemplate,
  };
  if (defs.pageTemplate.description) pageTemplate.adx_description = defs.pageTemplate.description;
  const pageBase: RecordData = {
    adx_enablerating: false,
    adx_enabletracking: false,
    adx_excludefromsearch: defs.webPage.excludeFromSearch,
    adx_feedbackpolicy: FEEDBACK_POLICY_INHERIT,
    adx_hiddenfromsitemap: defs.webPage.hiddenFromSitemap,
    adx_name: defs.webPage.name,
    adx_pagetemplateid: ids.pageTemplate,
    adx_parentpageid: anchors.home.id,
    adx_partialurl: defs.webPage.partialUrl,
    adx_publishingstateid: anchors.published.id,
    adx_sharedpageconfiguration: true,
  };
  if (defs.webPage.displayOrder !== undefined) pageBase.adx_displayorder = defs.webPage.displayOrder;
  const files: PlannedFile[] = [
    {
      path: paths.webTemplate,
      content: write("webtemplate", { adx_name: defs.webTemplate.name, adx_webtemplateid: ids.webTemplate }),
    },
    { path: sideFile(paths.webTemplate, "webtemplate", "source.html"), content: input.templateSource },
    { path: paths.pageTemplate, content: write("pagetemplate", pageTemplate) },
    {
      path: paths.webPage,
      content: write("webpage", {
        ...pageBase,
        adx_isroot: true,
        adx_title: defs.webPage.title,
        adx_webpageid: ids.webPage,
      }),
    },
  ];
  for (const language of anchors.languages) {
    const path = paths.contentPages[language.code]!;
    const record: RecordData = {
      ...pageBase,
      adx_isroot: false,
      adx_rootwebpageid: ids.webPage,
      adx_title: pickForLanguage(defs.webPage.titles, language.code) ?? defs.webPage.title,
      adx_webpageid: ids.contentPages[language.code]!,
      adx_webpagelanguageid: language.id,
    };
    files.push({ path, content: write("webpage", record) });
    files.push({
      path: sideFile(path, "webpage", "copy.html"),
      content: pickForLanguage(defs.webPage.copy, language.code) ?? "",
    });
  }
  return files;
}

/** Our settings with `adx_` keys: an explicit value wins; otherwise what the site holds; else the default. */
function settingRecords(input: PlanInput, ids: Ids, warnings: string[]): RecordData[] {
  return Object.entries(input.definitions.siteSettings).map(([key, setting]) => {
    const id = ids.siteSettings[key]!;
    const current = input.site.siteSettings.find((s) => s.id.toLowerCase() === id.toLowerCase());
    const value = input.explicitSettingValues.has(key) ? setting.value : (current?.value ?? setting.value);
    if (value === "")
      warnings.push(
        `Site setting ${setting.name} is empty; set it with --config${key === "endpoint_url" ? " or --endpoint-url" : ""}, or in the portal.`,
      );
    const record: RecordData = { adx_name: setting.name, adx_sitesettingid: id, adx_value: value };
    if (setting.description) record.adx_description = setting.description;
    return record;
  });
}

/** A file that already uses CRLF keeps CRLF (a merge must not leave mixed line endings). */
function keepLineEndings(root: string, file: PlannedFile): PlannedFile {
  const target = join(root, file.path);
  if (!existsSync(target) || !readFileSync(target, "utf8").includes("\r\n")) return file;
  return { path: file.path, content: file.content.replace(/\r?\n/g, "\r\n") };
}
