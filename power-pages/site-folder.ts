// Locate and load a pac site folder into typed records. Read-only: nothing here writes to disk.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { SiteFolderError } from "./errors";
import {
  detectKeyStyle,
  formatLineRanges,
  keyStyleOfRecord,
  linesWithKeyStyle,
  normalizeRecord,
} from "./key-style";
import type { KeyStyle } from "./key-style";
import { parseRecordYaml } from "./record-yaml";
import type {
  ContentPage,
  ContentSnippet,
  Language,
  PageSideFiles,
  PageTemplate,
  PublishingState,
  RecordData,
  RecordFile,
  SiteFolder,
  SiteMarker,
  SiteSetting,
  WebPage,
  WebTemplate,
  Website,
  Weblink,
  WeblinkSet,
} from "./types";

const DOWNLOAD_HINT = "`pac pages download --path <dir> --webSiteId <website id>` writes one";

/**
 * Returns the absolute path of the folder holding `website.yml`: `dir` itself, or its only
 * sub-folder that has one (what `pac pages download --path <dir>` produces).
 */
export function findSiteFolder(dir: string): string {
  const start = resolve(dir);
  if (!existsSync(start) || !statSync(start).isDirectory()) {
    throw new SiteFolderError(
      "SITE_FOLDER_NOT_FOUND",
      `${start}: no such folder. Pass the folder that holds website.yml (${DOWNLOAD_HINT}).`,
      { file: start },
    );
  }
  if (existsSync(join(start, "website.yml"))) return start;
  const candidates = readdirSync(start, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(start, entry.name, "website.yml")))
    .map((entry) => join(start, entry.name))
    .sort();
  if (candidates.length === 1 && candidates[0] !== undefined) return candidates[0];
  if (candidates.length > 1) {
    throw new SiteFolderError(
      "SITE_FOLDER_AMBIGUOUS",
      `${start}: ${candidates.length} site folders found (${candidates.map((c) => relative(start, c)).join(", ")}). Pass the one you mean.`,
      { file: start },
    );
  }
  throw new SiteFolderError(
    "SITE_FOLDER_NOT_FOUND",
    `${start}: no website.yml here or in a sub-folder, so this is not a pac site folder. ${DOWNLOAD_HINT}; pass the folder that holds it.`,
    { file: start },
  );
}

/** The records of one kind with the file each came from. */
type OfKind = (kind: string) => Array<{ file: string; data: RecordData }>;

/** Loads every record file of the site folder at `dir` (or of its only site sub-folder). */
export function loadSiteFolder(dir: string): SiteFolder {
  const root = findSiteFolder(dir);
  const websiteText = readText(root, "website.yml");
  const websiteParsed = parseRecordYaml(websiteText, "website.yml");
  const websiteRaw = websiteParsed.records[0];
  if (websiteParsed.shape !== "map" || websiteRaw === undefined) {
    throw new SiteFolderError(
      "RECORD_FILE_INVALID",
      "website.yml: expected one map of columns. Download the site again.",
      { file: join(root, "website.yml") },
    );
  }
  const keyStyle = detectKeyStyle(websiteRaw, join(root, "website.yml"), websiteText);
  const otherStyleFiles: string[] = [];
  const recordFiles = listRecordFiles(root).map((file) =>
    readRecordFile(root, file, keyStyle, otherStyleFiles),
  );
  const ofKind: OfKind = (kind) =>
    recordFiles
      .filter((rf) => rf.kind === kind)
      .flatMap((rf) => rf.records.map((data) => ({ file: rf.file, data })));

  return {
    root,
    keyStyle,
    otherStyleFiles,
    website: toWebsite(normalizeRecord(keyStyle, "website", websiteRaw)),
    languages: readLanguages(ofKind),
    publishingStates: readPublishingStates(ofKind),
    webTemplates: readWebTemplates(root, ofKind),
    pageTemplates: readPageTemplates(ofKind),
    webPages: readWebPages(root, ofKind),
    contentSnippets: readContentSnippets(root, ofKind),
    siteSettings: readSiteSettings(ofKind),
    weblinkSets: readWeblinkSets(ofKind),
    siteMarkers: readSiteMarkers(ofKind),
    recordFiles,
  };
}

function toWebsite(websiteData: RecordData): Website {
  return {
    id: str(websiteData.adx_websiteid) ?? "",
    file: "website.yml",
    data: websiteData,
    name: str(websiteData.adx_name) ?? "",
    defaultLanguageId: str(websiteData.adx_defaultlanguage),
    headerWebTemplateId: str(websiteData.adx_headerwebtemplateid),
    footerWebTemplateId: str(websiteData.adx_footerwebtemplateid),
  };
}

function readLanguages(ofKind: OfKind): Language[] {
  const portalLanguages = ofKind("portallanguage").map((r) => r.data);
  return ofKind("websitelanguage").map(({ file, data }) => {
    const portalLanguageId = str(data.adx_portallanguageid);
    const portal = portalLanguages.find(
      (p) => portalLanguageId !== null && str(p.adx_portallanguageid) === portalLanguageId,
    );
    return {
      id: str(data.adx_websitelanguageid) ?? "",
      file,
      data,
      name: str(data.adx_name) ?? "",
      code: portal ? str(portal.adx_languagecode) : null,
      displayName: portal ? str(portal.adx_displayname) : null,
      lcid: portal ? num(portal.adx_lcid) : null,
      portalLanguageId,
      publishingStateId: str(data.adx_publishingstate),
    };
  });
}

function readPublishingStates(ofKind: OfKind): PublishingState[] {
  return ofKind("publishingstate").map(({ file, data }) => ({
    id: str(data.adx_publishingstateid) ?? "",
    file,
    data,
    name: str(data.adx_name) ?? "",
    isDefault: data.adx_isdefault === true,
    isVisible: data.adx_isvisible === true,
    displayOrder: num(data.adx_displayorder),
  }));
}

function readWebTemplates(root: string, ofKind: OfKind): WebTemplate[] {
  return ofKind("webtemplate").map(({ file, data }) => {
    const sourceFile = sideFile(file, "webtemplate", "source.html");
    return {
      id: str(data.adx_webtemplateid) ?? "",
      file,
      data,
      name: str(data.adx_name) ?? "",
      source: readOptional(root, sourceFile) ?? str(data.adx_source),
      sourceFile,
      mimeType: str(data.adx_mimetype),
    };
  });
}

function readPageTemplates(ofKind: OfKind): PageTemplate[] {
  return ofKind("pagetemplate").map(({ file, data }) => ({
    id: str(data.adx_pagetemplateid) ?? "",
    file,
    data,
    name: str(data.adx_name) ?? "",
    type: num(data.adx_type),
    webTemplateId: str(data.adx_webtemplateid),
    rewriteUrl: str(data.adx_rewriteurl),
    entityName: str(data.adx_entityname),
    useWebsiteHeaderAndFooter: data.adx_usewebsiteheaderandfooter === true,
  }));
}

/** Root pages, each with its content pages (the per-language records). */
function readWebPages(root: string, ofKind: OfKind): WebPage[] {
  const pages = ofKind("webpage").map(({ file, data }) => ({
    file,
    data,
    common: readPage(root, file, data),
  }));
  const contentPages: ContentPage[] = pages
    .filter((p) => p.data.adx_isroot !== true)
    .map((p) => ({
      ...p.common,
      rootPageId: str(p.data.adx_rootwebpageid),
      languageId: str(p.data.adx_webpagelanguageid),
    }));
  return pages
    .filter((p) => p.data.adx_isroot === true)
    .map((p) => ({ ...p.common, contentPages: contentPages.filter((c) => c.rootPageId === p.common.id) }));
}

function readContentSnippets(root: string, ofKind: OfKind): ContentSnippet[] {
  return ofKind("contentsnippet").map(({ file, data }) => ({
    id: str(data.adx_contentsnippetid) ?? "",
    file,
    data,
    name: str(data.adx_name) ?? "",
    languageId: str(data.adx_contentsnippetlanguageid),
    type: num(data.adx_type),
    value: readOptional(root, sideFile(file, "contentsnippet", "value.html")) ?? str(data.adx_value),
  }));
}

function readSiteSettings(ofKind: OfKind): SiteSetting[] {
  return ofKind("sitesetting").map(({ file, data }) => ({
    id: str(data.adx_sitesettingid) ?? "",
    file,
    data,
    name: str(data.adx_name) ?? "",
    value: data.adx_value === null || data.adx_value === undefined ? null : String(data.adx_value),
    description: str(data.adx_description),
  }));
}

function readWeblinkSets(ofKind: OfKind): WeblinkSet[] {
  const weblinks: Weblink[] = ofKind("weblink").map(({ file, data }) => ({
    id: str(data.adx_weblinkid) ?? "",
    file,
    data,
    name: str(data.adx_name) ?? "",
    pageId: str(data.adx_pageid),
    url: str(data.adx_externalurl),
    displayOrder: num(data.adx_displayorder),
    publishingStateId: str(data.adx_publishingstateid),
    openInNewWindow: data.adx_openinnewwindow === true,
  }));
  return ofKind("weblinkset").map(({ file, data }) => {
    const id = str(data.adx_weblinksetid) ?? "";
    return {
      id,
      file,
      data,
      name: str(data.adx_name) ?? "",
      languageId: str(data.adx_websitelanguageid),
      weblinks: weblinks
        .filter((link) => str(link.data.adx_weblinksetid) === id)
        .sort((a, b) => (a.displayOrder ?? 0) - (b.displayOrder ?? 0)),
    };
  });
}

function readSiteMarkers(ofKind: OfKind): SiteMarker[] {
  return ofKind("sitemarker").map(({ file, data }) => ({
    id: str(data.adx_sitemarkerid) ?? "",
    file,
    data,
    name: str(data.adx_name) ?? "",
    pageId: str(data.adx_pageid),
  }));
}

/** Every YAML record file under `root`, relative paths with `/`, sorted. Manifests and deployment profiles are not records. */
export function listRecordFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === "node_modules" || entry.name === ".git" || entry.name === "deployment-profiles")
          continue;
        walk(full);
      } else if (entry.isFile() && entry.name.endsWith(".yml")) {
        const rel = relative(root, full).split(sep).join("/");
        if (rel === ".portalconfig/manifest.yml" || /^\.portalconfig\/.*-manifest\.yml$/.test(rel)) continue;
        out.push(rel);
      }
    }
  };
  walk(root);
  return out.sort();
}

/** Record kind from a file path: `web-pages/a/A.webpage.yml` → `webpage`, `sitesetting.yml` → `sitesetting`. */
export function recordKindOf(file: string): string {
  const base = file.slice(file.lastIndexOf("/") + 1).replace(/\.yml$/, "");
  const parts = base.split(".");
  return (parts.length === 1 ? parts[0] : parts[parts.length - 1]) ?? base;
}

/**
 * Tables whose columns pac spells with `adx_` in one style and without it in the other. Newer tables
 * (`ux-components/*.uxcomponent.yml`) have no `adx_` spelling at all, so their bare keys say nothing
 * about the folder's style.
 */
const KEYED_BY_STYLE = new Set([
  "website",
  "websitelanguage",
  "portallanguage",
  "publishingstate",
  "webtemplate",
  "pagetemplate",
  "webpage",
  "contentsnippet",
  "sitesetting",
  "weblinkset",
  "weblink",
  "sitemarker",
  "webrole",
  "webfile",
]);

/**
 * Reads one record file, each record by its own key style (a hand-edited file may differ from
 * website.yml; it is listed in `otherStyleFiles`). A record mixing both styles is refused: which
 * spelling wins would be a guess.
 */
function readRecordFile(
  root: string,
  file: string,
  keyStyle: KeyStyle,
  otherStyleFiles: string[],
): RecordFile {
  const kind = recordKindOf(file);
  const text = readText(root, file);
  const parsed = parseRecordYaml(text, file);
  const styles = parsed.records.map((r) => keyStyleOfRecord(r));
  if (styles.includes("mixed")) {
    throw new SiteFolderError(
      "KEY_STYLE_MIXED",
      `${file} mixes adx_ and bare keys: adx_ on lines ${formatLineRanges(linesWithKeyStyle(text, "adx"))}, bare on lines ${formatLineRanges(linesWithKeyStyle(text, "bare"))}. ` +
        "pac writes one style per download: download the site again, or rewrite the file in one style.",
      { file: join(root, file) },
    );
  }
  const other: KeyStyle = keyStyle === "adx" ? "bare" : "adx";
  if (KEYED_BY_STYLE.has(kind) && styles.includes(other))
    otherStyleFiles.push(`${file} lines ${formatLineRanges(linesWithKeyStyle(text, other))}`);
  return {
    file,
    kind,
    shape: parsed.shape,
    records: parsed.records.map((r, i) =>
      normalizeRecord(styles[i] === "none" ? keyStyle : (styles[i] as KeyStyle), kind, r),
    ),
  };
}

function readPage(root: string, file: string, data: RecordData): Omit<WebPage, "contentPages"> {
  const side = (suffix: string): string | null => readOptional(root, sideFile(file, "webpage", suffix));
  const sideFiles: PageSideFiles = {
    copy: side("copy.html") ?? str(data.adx_copy),
    summary: side("summary.html") ?? str(data.adx_summary),
    customCss: side("custom_css.css") ?? str(data.adx_customcss),
    customJavascript: side("custom_javascript.js") ?? str(data.adx_customjavascript),
  };
  return {
    id: str(data.adx_webpageid) ?? "",
    file,
    data,
    name: str(data.adx_name) ?? "",
    title: str(data.adx_title),
    partialUrl: str(data.adx_partialurl),
    parentPageId: str(data.adx_parentpageid),
    pageTemplateId: str(data.adx_pagetemplateid),
    publishingStateId: str(data.adx_publishingstateid),
    hiddenFromSitemap: data.adx_hiddenfromsitemap === true,
    excludeFromSearch: data.adx_excludefromsearch === true,
    displayOrder: num(data.adx_displayorder),
    ...sideFiles,
  };
}

/** Path of a side file next to a record file: (`a/A.webpage.yml`, `webpage`, `copy.html`) → `a/A.webpage.copy.html`. */
export function sideFile(recordFile: string, kind: string, suffix: string): string {
  return recordFile.replace(new RegExp(`\\.${kind}\\.yml$`), `.${kind}.${suffix}`);
}

function readText(root: string, file: string): string {
  try {
    return readFileSync(join(root, file), "utf8");
  } catch (cause) {
    throw new SiteFolderError(
      "RECORD_FILE_UNREADABLE",
      `${file}: could not be read (${(cause as Error).message}).`,
      { file: join(root, file), cause },
    );
  }
}

function readOptional(root: string, file: string): string | null {
  const full = join(root, file);
  return existsSync(full) ? readFileSync(full, "utf8") : null;
}

function str(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  return String(value);
}

function num(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}
