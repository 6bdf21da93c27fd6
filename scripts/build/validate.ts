// Checks a whole pac site folder and returns every problem at once (never stops at the first):
// lookups that point nowhere, duplicate names or partial URLs, bad partial URLs, oversized text,
// `adx_websiteid` inside records, anything shaped like a secret, and what the build refuses.
// Errors are what pac, the portal or the build would reject; warnings are what Power Pages itself
// tolerates (Microsoft's own downloads carry them), reported so a person can tidy up.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import {
  findSiteFolder,
  listRecordFiles,
  loadSiteFolder,
  parseRecordYaml,
  primaryKeyOf,
  SiteFolderError,
} from "../../power-pages";
import type { RecordData, SiteFolder } from "../../power-pages";
import { checkSitePartialUrl } from "./partial-url";
import { NAME_MAX, SUMMARY_MAX, TEXT_MAX, TITLE_MAX } from "./record-limits";
import { findSecrets } from "./secret-patterns";
import { checkSiteAnchors } from "./site-anchors";

export type Severity = "error" | "warning";

export interface Problem {
  code: string;
  /** error: pac, the portal or the build rejects it; warning: Power Pages tolerates it. */
  severity: Severity;
  /** Path relative to the site folder (or the folder given, when there is no site folder). */
  file: string;
  line?: number;
  message: string;
}

export interface ValidationResult {
  /** Absolute path of the site folder checked (the folder given when none was found). */
  root: string;
  problems: Problem[];
}

export interface ValidateOptions {
  /** Secret values the caller read from its environment; any exact occurrence is reported. */
  knownSecrets?: readonly string[];
}

/** Lookups a download may leave dangling (links to pages deleted since): the portal skips them. */
const TOLERATED_LOOKUPS = new Set(["weblink.adx_pageid", "sitemarker.adx_pageid"]);

/** Lookups checked for every record of a kind: column → kind of record it must point at. */
const LOOKUPS: Record<string, Record<string, string>> = {
  website: {
    adx_defaultlanguage: "websitelanguage",
    adx_headerwebtemplateid: "webtemplate",
    adx_footerwebtemplateid: "webtemplate",
  },
  websitelanguage: { adx_portallanguageid: "portallanguage", adx_publishingstate: "publishingstate" },
  pagetemplate: { adx_webtemplateid: "webtemplate" },
  webpage: {
    adx_pagetemplateid: "pagetemplate",
    adx_parentpageid: "webpage",
    adx_publishingstateid: "publishingstate",
    adx_rootwebpageid: "webpage",
    adx_webpagelanguageid: "websitelanguage",
  },
  contentsnippet: { adx_contentsnippetlanguageid: "websitelanguage" },
  weblinkset: { adx_websitelanguageid: "websitelanguage" },
  weblink: {
    adx_pageid: "webpage",
    adx_weblinksetid: "weblinkset",
    adx_publishingstateid: "publishingstate",
  },
  sitemarker: { adx_pageid: "webpage" },
};

const TEXT_EXTENSIONS = /\.(ya?ml|html?|css|js|json|txt|xml|liquid|md)$/i;

export function validateSiteFolder(dir: string, options: ValidateOptions = {}): ValidationResult {
  let root: string;
  try {
    root = findSiteFolder(dir);
  } catch (error) {
    if (error instanceof SiteFolderError)
      return {
        root: dir,
        problems: [{ code: error.code, severity: "error", file: ".", message: error.message }],
      };
    throw error;
  }
  let site: SiteFolder | null = null;
  const problems: Problem[] = [];
  try {
    site = loadSiteFolder(root);
  } catch (error) {
    if (!(error instanceof SiteFolderError)) throw error;
    if (error.code === "RECORD_FILE_INVALID") {
      // Report every file that does not parse, not only the first one the loader met.
      for (const file of listRecordFiles(root)) {
        try {
          parseRecordYaml(readFileSync(join(root, file), "utf8"), file);
        } catch (parseError) {
          problems.push({
            code: "RECORD_FILE_INVALID",
            severity: "error",
            file,
            message: (parseError as Error).message,
          });
        }
      }
    } else {
      problems.push({
        code: error.code,
        severity: "error",
        file: error.file ? relative(root, error.file) || "." : ".",
        message: error.message,
      });
    }
  }
  if (site) problems.push(...checkLoadedSite(site));
  checkSecrets(root, options.knownSecrets ?? [], problems);
  return { root, problems };
}

/** The record checks over an already loaded site (no secret scan: that reads every text file). */
function checkLoadedSite(site: SiteFolder): Problem[] {
  const problems: Problem[] = checkSiteAnchors(site).refusals.map((r) => ({ ...r, severity: "error" }));
  for (const file of site.otherStyleFiles)
    problems.push({
      code: "KEY_STYLE_MIXED",
      severity: "warning",
      file: file.split(" ")[0] ?? file,
      message: `This folder mixes adx_ and bare keys: website.yml uses ${site.keyStyle === "adx" ? "adx_" : "bare"} keys, ${file} the other style. It is read anyway; pac writes one style per download.`,
    });
  checkLookups(site, problems);
  checkUniqueness(site, problems);
  checkPages(site, problems);
  checkTextSizes(site, problems);
  return problems;
}

/** Every check over an already loaded site, including the secret scan of its files. */
export function validateLoadedSite(site: SiteFolder, options: ValidateOptions = {}): ValidationResult {
  const problems = checkLoadedSite(site);
  checkSecrets(site.root, options.knownSecrets ?? [], problems);
  return { root: site.root, problems };
}

interface LiveRecord {
  kind: string;
  file: string;
  data: RecordData;
}

function liveRecords(site: SiteFolder): LiveRecord[] {
  return site.recordFiles.flatMap((rf) =>
    rf.records.filter((data) => data.statecode !== 1).map((data) => ({ kind: rf.kind, file: rf.file, data })),
  );
}

function checkLookups(site: SiteFolder, problems: Problem[]): void {
  const idsByKind = new Map<string, Set<string>>();
  for (const rf of site.recordFiles) {
    const set = idsByKind.get(rf.kind) ?? new Set<string>();
    for (const record of rf.records) {
      const id = record[primaryKeyOf(rf.kind)];
      if (typeof id === "string") set.add(id.toLowerCase());
    }
    idsByKind.set(rf.kind, set);
  }
  for (const record of liveRecords(site)) {
    if (record.kind !== "website" && "adx_websiteid" in record.data) {
      problems.push({
        code: "WEBSITE_ID_IN_RECORD",
        severity: "error",
        file: record.file,
        message: `${record.file}: holds adx_websiteid; pac adds the website itself and record files must not carry it. Remove the column.`,
      });
    }
    for (const [column, target] of Object.entries(LOOKUPS[record.kind] ?? {})) {
      const value = record.data[column];
      if (value === null || value === undefined || value === "") continue;
      if (!idsByKind.get(target)?.has(String(value).toLowerCase())) {
        const tolerated = TOLERATED_LOOKUPS.has(`${record.kind}.${column}`);
        problems.push({
          code: "LOOKUP_MISSING",
          severity: tolerated ? "warning" : "error",
          file: record.file,
          message: `${record.file}: ${column} points at ${String(value)}, but no ${target} record in this folder has that id. ${tolerated ? "The portal leaves such a link out; remove it or point it at a page of this site." : "Point it at a record of this site (download the target site again if ids differ between environments)."}`,
        });
      }
    }
  }
}

function checkUniqueness(site: SiteFolder, problems: Problem[]): void {
  // Power Pages tolerates repeated names (downloads carry them: two ThemeFeature settings, two
  // "Profile" pages under Home with their own partial URLs); only the URL and language slots must be unique.
  const groups: Array<{ what: string; severity: Severity; key: (r: LiveRecord) => string | null }> = [
    {
      what: "web template name",
      severity: "warning",
      key: (r) => (r.kind === "webtemplate" ? lower(r.data.adx_name) : null),
    },
    {
      what: "page template name",
      severity: "warning",
      key: (r) => (r.kind === "pagetemplate" ? lower(r.data.adx_name) : null),
    },
    {
      what: "site setting name",
      severity: "warning",
      key: (r) => (r.kind === "sitesetting" ? lower(r.data.adx_name) : null),
    },
    {
      what: "site marker name",
      severity: "warning",
      key: (r) => (r.kind === "sitemarker" ? lower(r.data.adx_name) : null),
    },
    {
      what: "content snippet name in one language",
      severity: "warning",
      key: (r) =>
        r.kind === "contentsnippet"
          ? `${lower(r.data.adx_name)}|${lower(r.data.adx_contentsnippetlanguageid)}`
          : null,
    },
    {
      what: "web page name under one parent",
      severity: "warning",
      key: (r) => (isRootPage(r) ? `${lower(r.data.adx_parentpageid)}|${lower(r.data.adx_name)}` : null),
    },
    {
      what: "partial URL under one parent",
      severity: "error",
      key: (r) =>
        isRootPage(r) ? `${lower(r.data.adx_parentpageid)}|${lower(r.data.adx_partialurl)}` : null,
    },
    {
      what: "content page language of one page",
      severity: "error",
      key: (r) =>
        r.kind === "webpage" && r.data.adx_isroot !== true
          ? `${lower(r.data.adx_rootwebpageid)}|${lower(r.data.adx_webpagelanguageid)}`
          : null,
    },
  ];
  const records = liveRecords(site);
  for (const group of groups) {
    const seen = new Map<string, LiveRecord[]>();
    for (const record of records) {
      const key = group.key(record);
      if (key === null) continue;
      seen.set(key, [...(seen.get(key) ?? []), record]);
    }
    for (const [key, same] of seen) {
      const first = same[0];
      if (same.length < 2 || first === undefined) continue;
      const shown = key.split("|").pop() ?? key;
      problems.push({
        code: group.what.startsWith("partial URL") ? "DUPLICATE_PARTIAL_URL" : "DUPLICATE_NAME",
        severity: group.severity,
        file: first.file,
        message: `${same.length} records share the ${group.what} "${shown}": ${same.map((r) => r.file).join(", ")}. Rename or remove all but one.`,
      });
    }
  }
}

function checkPages(site: SiteFolder, problems: Problem[]): void {
  for (const record of liveRecords(site)) {
    if (record.kind !== "webpage") continue;
    const url = record.data.adx_partialurl;
    const isHome =
      url === "/" && (record.data.adx_parentpageid === null || record.data.adx_parentpageid === undefined);
    if (!isHome) {
      const problem =
        typeof url === "string"
          ? checkSitePartialUrl(url)
          : { severity: "error" as const, reason: "is missing" };
      if (problem) {
        problems.push({
          code: "PARTIAL_URL_INVALID",
          severity: problem.severity,
          file: record.file,
          message: `${record.file}: partial URL ${JSON.stringify(url ?? null)} ${problem.reason}.`,
        });
      }
    }
    const required = isHome
      ? ["adx_pagetemplateid", "adx_publishingstateid"]
      : ["adx_pagetemplateid", "adx_publishingstateid", "adx_parentpageid"];
    for (const column of required) {
      const value = record.data[column];
      if (value === null || value === undefined || value === "") {
        problems.push({
          code: "REQUIRED_LOOKUP_EMPTY",
          severity: "error",
          file: record.file,
          message: `${record.file}: ${column} is empty; every web page needs one.`,
        });
      }
    }
  }
}

function checkTextSizes(site: SiteFolder, problems: Problem[]): void {
  const tooLong = (file: string, what: string, text: string | null, max: number): void => {
    if (text !== null && text.length > max) {
      problems.push({
        code: "TEXT_TOO_LONG",
        severity: "error",
        file,
        message: `${file}: ${what} is ${text.length} characters; Dataverse stores at most ${max}. Shorten it.`,
      });
    }
  };
  for (const template of site.webTemplates) {
    tooLong(template.sourceFile, "the template source", template.source, TEXT_MAX);
    tooLong(template.file, "the name", template.name, NAME_MAX);
  }
  for (const page of site.webPages.flatMap((p) => [p, ...p.contentPages])) {
    tooLong(page.file, "the name", page.name, NAME_MAX);
    tooLong(page.file, "the title", page.title, TITLE_MAX);
    tooLong(page.file, "the copy", page.copy, TEXT_MAX);
    tooLong(page.file, "the summary", page.summary, SUMMARY_MAX);
    tooLong(page.file, "the custom CSS", page.customCss, TEXT_MAX);
    tooLong(page.file, "the custom JavaScript", page.customJavascript, TEXT_MAX);
  }
  for (const template of site.pageTemplates) tooLong(template.file, "the name", template.name, NAME_MAX);
}

function checkSecrets(root: string, knownSecrets: readonly string[], problems: Problem[]): void {
  for (const file of listTextFiles(root)) {
    const text = readFileSync(join(root, file), "utf8");
    for (const hit of findSecrets(text, knownSecrets)) {
      problems.push({
        code: "SECRET_FOUND",
        severity: "error",
        file,
        line: hit.line,
        message: `${file} line ${hit.line}: holds something shaped like a ${hit.kind}. Remove it; secrets belong in the endpoint's environment, never in the site.`,
      });
    }
  }
}

function listTextFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== ".git" && entry.name !== "node_modules") walk(full);
      } else if (entry.isFile() && TEXT_EXTENSIONS.test(entry.name) && statSync(full).size <= 8 * TEXT_MAX) {
        out.push(relative(root, full).split(sep).join("/"));
      }
    }
  };
  walk(root);
  return out.sort();
}

function isRootPage(record: LiveRecord): boolean {
  return record.kind === "webpage" && record.data.adx_isroot === true;
}

function lower(value: unknown): string {
  return value === null || value === undefined ? "" : String(value).toLowerCase();
}

/** One line per problem, for people. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `- ${p.severity} [${p.code}] ${p.message}`).join("\n");
}

/** The problems that fail a check: errors, and warnings too when `strict`. */
export function failingProblems(problems: readonly Problem[], strict = false): Problem[] {
  return problems.filter((p) => strict || p.severity === "error");
}
