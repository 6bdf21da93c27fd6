// Typed view of a pac site folder (the folder `pac pages download` writes and `pac pages upload`
// reads). Every record keeps its columns in `data` with `adx_` keys whatever the folder's own key
// style, and `file` says where it came from (relative to the site folder, `/` separators).

import type { KeyStyle } from "./key-style";

export type RecordValue = string | number | boolean | null;
/** One record's columns, `adx_` keys, as read from YAML (lookups are GUID strings, empty lookups null). */
export type RecordData = Record<string, RecordValue>;

interface Located {
  /** Primary key (GUID). */
  id: string;
  /** Path of the YAML file, relative to the site folder. */
  file: string;
  /** Every column of the record, `adx_` keys. */
  data: RecordData;
}

export interface Website extends Located {
  name: string;
  /** → Language.id (a websitelanguage id). */
  defaultLanguageId: string | null;
  headerWebTemplateId: string | null;
  footerWebTemplateId: string | null;
}

/** A website language joined to its portal language. */
export interface Language extends Located {
  /** Language code such as `en-US` (from the portal language; null when the join fails). */
  code: string | null;
  name: string;
  displayName: string | null;
  lcid: number | null;
  portalLanguageId: string | null;
  publishingStateId: string | null;
}

export interface PublishingState extends Located {
  name: string;
  isDefault: boolean;
  isVisible: boolean;
  displayOrder: number | null;
}

export interface WebTemplate extends Located {
  name: string;
  /** Liquid/HTML of `.webtemplate.source.html`; null when the side file is missing. */
  source: string | null;
  /** Path of the source side file, relative to the site folder. */
  sourceFile: string;
  mimeType: string | null;
}

export interface PageTemplate extends Located {
  name: string;
  /** 756150000 Rewrite, 756150001 Web Template. */
  type: number | null;
  webTemplateId: string | null;
  rewriteUrl: string | null;
  entityName: string | null;
  useWebsiteHeaderAndFooter: boolean;
}

/** Long-text side files of a web page (null when the file is absent). */
export interface PageSideFiles {
  copy: string | null;
  summary: string | null;
  customCss: string | null;
  customJavascript: string | null;
}

interface PageCommon extends Located, PageSideFiles {
  name: string;
  title: string | null;
  partialUrl: string | null;
  parentPageId: string | null;
  pageTemplateId: string | null;
  publishingStateId: string | null;
  hiddenFromSitemap: boolean;
  excludeFromSearch: boolean;
  displayOrder: number | null;
}

/** A root web page (`adx_isroot: true`) with its per-language content pages. */
export interface WebPage extends PageCommon {
  contentPages: ContentPage[];
}

/** A per-language content page (`content-pages/<File>.<lang>.webpage.yml`). */
export interface ContentPage extends PageCommon {
  rootPageId: string | null;
  /** → Language.id */
  languageId: string | null;
}

export interface ContentSnippet extends Located {
  name: string;
  languageId: string | null;
  type: number | null;
  /** Content of `.contentsnippet.value.html`, else the `adx_value` column, else null. */
  value: string | null;
}

export interface SiteSetting extends Located {
  name: string;
  value: string | null;
  description: string | null;
}

export interface Weblink extends Located {
  name: string;
  pageId: string | null;
  url: string | null;
  displayOrder: number | null;
  publishingStateId: string | null;
  openInNewWindow: boolean;
}

export interface WeblinkSet extends Located {
  name: string;
  languageId: string | null;
  weblinks: Weblink[];
}

export interface SiteMarker extends Located {
  name: string;
  pageId: string | null;
}

/** Every YAML record file of the folder, as parsed (keys normalised to `adx_`). */
export interface RecordFile {
  /** Path relative to the site folder. */
  file: string;
  /** Record kind from the file name: `webpage`, `sitesetting`, `website`, … */
  kind: string;
  shape: "map" | "list";
  records: RecordData[];
}

export interface SiteFolder {
  /** Absolute path of the folder that holds website.yml. */
  root: string;
  keyStyle: KeyStyle;
  /** Record files written in the other key style than website.yml (with the lines), read anyway. */
  otherStyleFiles: string[];
  website: Website;
  languages: Language[];
  publishingStates: PublishingState[];
  webTemplates: WebTemplate[];
  pageTemplates: PageTemplate[];
  /** Root web pages only; content pages hang under each. */
  webPages: WebPage[];
  contentSnippets: ContentSnippet[];
  siteSettings: SiteSetting[];
  weblinkSets: WeblinkSet[];
  siteMarkers: SiteMarker[];
  /** Every record file, for tables the typed view does not cover. */
  recordFiles: RecordFile[];
}
