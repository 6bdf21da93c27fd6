// Works out, without writing anything, the files the kit's records need in one site folder: ids,
// lookups into the site's own records, paths, and the merged sitesetting.yml. Refuses (by throwing)
// when the site lacks what the records point at or already holds a record with our name/URL.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  findHomePage,
  findLanguages,
  findPublishedState,
  formatRecordMap,
  primaryKeyOf,
  sideFile,
  styleRecord,
  toPacFileName,
  toPacFolderName,
  toStyledKey,
} from "../../power-pages";
import type { RecordData, SiteFolder } from "../../power-pages";
import type { PlannedFile } from "./apply-files";
import type { Definitions } from "./definitions";
import { BuildError } from "./errors";
import { deriveRecordId } from "./kit-ids";
import { mergeSiteSettings } from "./merge-site-settings";

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

export function planSiteRecords(input: PlanInput): SitePlan {
  const { site, definitions: defs, force } = input;
  const warnings: string[] = [];
  const home = findHomePage(site);
  if (!home) {
    throw new BuildError(
      "SITE_NO_HOME_PAGE",
      `${join(site.root, "web-pages")}: no Home root page (a web-pages/*/*.webpage.yml with adx_isroot: true, adx_partialurl: / and no parent). The gateway page hangs under Home; download the complete site with \`pac pages download\`.`,
      { file: join(site.root, "web-pages") },
    );
  }
  // The state named Published; failing that (a renamed or translated state), the one Home is in.
  let published = findPublishedState(site);
  if (!published) {
    published =
      site.publishingStates.find((s) => s.id.toLowerCase() === home.publishingStateId?.toLowerCase()) ?? null;
    if (published)
      warnings.push(
        `No publishing state is named "Published"; the gateway page takes Home's state, "${published.name}" (${published.file}).`,
      );
  }
  if (!published) {
    throw new BuildError(
      "SITE_NO_PUBLISHED_STATE",
      `${join(site.root, "publishingstate.yml")}: no publishing state named "Published", and the Home page's state is not in the file either. The gateway page must be published; download the site again with \`pac pages download\` (it writes every publishing state).`,
      { file: join(site.root, "publishingstate.yml") },
    );
  }
  const languages = findLanguages(site);
  if (languages.length === 0) {
    throw new BuildError(
      "SITE_NO_LANGUAGE",
      `${join(site.root, "websitelanguage.yml")}: no website language joined to .portalconfig/portallanguage.yml on adx_portallanguageid, so no content page can be written. Download the site again with \`pac pages download\`.`,
      { file: join(site.root, "websitelanguage.yml") },
    );
  }

  const websiteId = site.website.id;
  const clashes: string[] = [];
  const sameText = (a: string | null, b: string): boolean =>
    a !== null && a.toLowerCase() === b.toLowerCase();

  // Ids: derived, unless --force takes over a record that already carries our name or URL. When our
  // own record is there too, the others are a clash even with --force (two records cannot be one).
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

  const webTemplateId = pick(
    `web template named "${defs.webTemplate.name}"`,
    deriveRecordId(websiteId, "adx_webtemplate", defs.webTemplate.name),
    site.webTemplates.filter((t) => sameText(t.name, defs.webTemplate.name)),
  );
  const pageTemplateId = pick(
    `page template named "${defs.pageTemplate.name}"`,
    deriveRecordId(websiteId, "adx_pagetemplate", defs.pageTemplate.name),
    site.pageTemplates.filter((t) => sameText(t.name, defs.pageTemplate.name)),
  );
  const siblings = site.webPages.filter((p) => p.parentPageId?.toLowerCase() === home.id.toLowerCase());
  const webPageId = pick(
    `web page under Home named "${defs.webPage.name}" or with partial URL "${defs.webPage.partialUrl}"`,
    deriveRecordId(websiteId, "adx_webpage", defs.webPage.name),
    siblings.filter(
      (p) => sameText(p.name, defs.webPage.name) || sameText(p.partialUrl, defs.webPage.partialUrl),
    ),
  );
  const existingRoot = site.webPages.find((p) => p.id.toLowerCase() === webPageId.toLowerCase());
  const contentPageIds: Record<string, string> = {};
  for (const language of languages) {
    const existing = (existingRoot?.contentPages ?? []).filter(
      (c) => c.languageId?.toLowerCase() === language.id.toLowerCase(),
    );
    contentPageIds[language.code] = pick(
      `${language.code} content page of "${defs.webPage.name}"`,
      deriveRecordId(websiteId, "adx_webpage", defs.webPage.name, language.code),
      existing,
    );
  }
  const settingIds: Record<string, string> = {};
  for (const [key, setting] of Object.entries(defs.siteSettings)) {
    settingIds[key] = pick(
      `site setting named "${setting.name}"`,
      deriveRecordId(websiteId, "adx_sitesetting", setting.name),
      site.siteSettings.filter((s) => sameText(s.name, setting.name)),
    );
  }

  // Paths: where a record with the id already lives, else pac's naming.
  const fileOf = (kind: string, id: string): string | undefined =>
    site.recordFiles.find(
      (rf) =>
        rf.kind === kind &&
        rf.records.some((r) => String(r[primaryKeyOf(kind)]).toLowerCase() === id.toLowerCase()),
    )?.file;
  const claimPath = (kind: string, id: string, canonical: string): string => {
    const existing = fileOf(kind, id);
    if (existing) return existing;
    if (existsSync(join(site.root, canonical)))
      clashes.push(`${canonical} already holds another ${kind} record (not id ${id})`);
    return canonical;
  };
  const webTemplateFile = claimPath(
    "webtemplate",
    webTemplateId,
    `web-templates/${toPacFolderName(defs.webTemplate.name)}/${toPacFileName(defs.webTemplate.name)}.webtemplate.yml`,
  );
  const pageTemplateFile = claimPath(
    "pagetemplate",
    pageTemplateId,
    `page-templates/${toPacFileName(defs.pageTemplate.name)}.pagetemplate.yml`,
  );
  const pageFolder = `web-pages/${toPacFolderName(defs.webPage.name)}`;
  const webPageFile = claimPath(
    "webpage",
    webPageId,
    `${pageFolder}/${toPacFileName(defs.webPage.name)}.webpage.yml`,
  );
  const contentFolder = `${webPageFile.slice(0, webPageFile.lastIndexOf("/"))}/content-pages`;

  const fileStem = webPageFile.slice(webPageFile.lastIndexOf("/") + 1).replace(/\.webpage\.yml$/, "");
  const contentPaths: Record<string, string> = {};
  for (const language of languages) {
    const id = contentPageIds[language.code] as string;
    contentPaths[language.code] = claimPath(
      "webpage",
      id,
      `${contentFolder}/${fileStem}.${language.code}.webpage.yml`,
    );
  }

  if (clashes.length > 0) {
    throw new BuildError(
      "SITE_RECORD_CLASH",
      `${site.root}: records with the kit's names or partial URL already exist under other ids:\n${clashes.map((c) => `  - ${c}`).join("\n")}\n` +
        "Choose other names (--name, --partial-url or --config), or pass --force to take those records over (their ids are kept and their content replaced).",
      { file: site.root },
    );
  }

  const style = site.keyStyle;
  const write = (kind: string, record: RecordData): string =>
    formatRecordMap(styleRecord(style, kind, record));
  const files: PlannedFile[] = [];

  files.push({
    path: webTemplateFile,
    content: write("webtemplate", { adx_name: defs.webTemplate.name, adx_webtemplateid: webTemplateId }),
  });
  files.push({
    path: sideFile(webTemplateFile, "webtemplate", "source.html"),
    content: input.templateSource,
  });

  const pageTemplate: RecordData = {
    adx_entityname: "adx_webpage",
    adx_isdefault: false,
    adx_name: defs.pageTemplate.name,
    adx_pagetemplateid: pageTemplateId,
    adx_type: PAGE_TEMPLATE_TYPE_WEB_TEMPLATE,
    adx_usewebsiteheaderandfooter: defs.pageTemplate.useWebsiteHeaderAndFooter,
    adx_webtemplateid: webTemplateId,
  };
  if (defs.pageTemplate.description) pageTemplate.adx_description = defs.pageTemplate.description;
  files.push({ path: pageTemplateFile, content: write("pagetemplate", pageTemplate) });

  const pageBase: RecordData = {
    adx_enablerating: false,
    adx_enabletracking: false,
    adx_excludefromsearch: defs.webPage.excludeFromSearch,
    adx_feedbackpolicy: FEEDBACK_POLICY_INHERIT,
    adx_hiddenfromsitemap: defs.webPage.hiddenFromSitemap,
    adx_name: defs.webPage.name,
    adx_pagetemplateid: pageTemplateId,
    adx_parentpageid: home.id,
    adx_partialurl: defs.webPage.partialUrl,
    adx_publishingstateid: published.id,
    adx_sharedpageconfiguration: true,
  };
  if (defs.webPage.displayOrder !== undefined) pageBase.adx_displayorder = defs.webPage.displayOrder;
  files.push({
    path: webPageFile,
    content: write("webpage", {
      ...pageBase,
      adx_isroot: true,
      adx_title: defs.webPage.title,
      adx_webpageid: webPageId,
    }),
  });
  for (const language of languages) {
    const id = contentPageIds[language.code] as string;
    const path = contentPaths[language.code] as string;
    const record: RecordData = {
      ...pageBase,
      adx_isroot: false,
      adx_rootwebpageid: webPageId,
      adx_title: defs.webPage.titles[language.code] ?? defs.webPage.title,
      adx_webpageid: id,
      adx_webpagelanguageid: language.id,
    };
    files.push({ path, content: write("webpage", record) });
    files.push({
      path: sideFile(path, "webpage", "copy.html"),
      content: defs.webPage.copy[language.code] ?? "",
    });
  }

  // Site settings: an explicit value wins; otherwise keep what the site already holds; else the default.
  const settingRecords: RecordData[] = Object.entries(defs.siteSettings).map(([key, setting]) => {
    const id = settingIds[key] as string;
    const current = site.siteSettings.find((s) => s.id.toLowerCase() === id.toLowerCase());
    const value = input.explicitSettingValues.has(key) ? setting.value : (current?.value ?? setting.value);
    if (value === "")
      warnings.push(
        `Site setting ${setting.name} is empty; set it with --config${key === "endpoint_url" ? " or --endpoint-url" : ""}, or in the portal.`,
      );
    const record: RecordData = { adx_name: setting.name, adx_sitesettingid: id, adx_value: value };
    if (setting.description) record.adx_description = setting.description;
    return styleRecord(style, "sitesetting", record);
  });
  const settingsPath = join(site.root, "sitesetting.yml");
  const existingSettings = existsSync(settingsPath) ? readFileSync(settingsPath, "utf8") : null;
  files.push({
    path: "sitesetting.yml",
    content: mergeSiteSettings(
      existingSettings,
      settingRecords,
      toStyledKey(style, "sitesetting", "adx_sitesettingid"),
    ),
  });

  return {
    files,
    ids: {
      webTemplate: webTemplateId,
      pageTemplate: pageTemplateId,
      webPage: webPageId,
      contentPages: contentPageIds,
      siteSettings: settingIds,
    },
    url: `/${defs.webPage.partialUrl}/`,
    warnings,
  };
}
